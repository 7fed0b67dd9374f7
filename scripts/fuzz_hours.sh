#!/usr/bin/env bash
# Accumulates fuzzing CPU time towards a goal per target (issue 12: an hour each), in slices.
# Each worker takes the target with the least CPU in the ledger, runs it for SLICE seconds of
# wall time at nice 19 (builds come first) and appends its measured CPU time and executions to
# fuzz/hours.tsv (commit it after a run). A target that crashes is recorded as a finding and is
# not picked again until the finding is understood and its row relabelled (e.g. "fixed").
#   [FUZZ_TARGETS="a b"] scripts/fuzz_hours.sh [WORKERS=2] [SLICE=600] [GOAL_MINUTES=60]
#   scripts/fuzz_hours.sh --report
set -uo pipefail
cd "$(dirname "$0")/.."
ledger=fuzz/hours.tsv  # committed: the hours count across machines
targets=${FUZZ_TARGETS:-$(ls fuzz/corpus)}  # default: every target with a corpus

report() {
  awk -F'\t' '{cpu[$2]+=$3; ex[$2]+=$4; if ($5 != "ok") f[$2]=f[$2] " " $5}
    END {for (t in cpu) printf "%-16s %7.1f min %12d execs%s\n", t, cpu[t]/60, ex[t], f[t]}' \
    "$ledger" | sort
}
[[ ${1:-} == --report ]] && { report; exit 0; }

workers=${1:-2} slice=${2:-600} goal=$((${3:-60} * 60))
[[ -x build/fuzz/fuzz/form_fuzz ]] || { echo "no fuzz build: cmake --preset fuzz && cmake --build build/fuzz" >&2; exit 1; }
touch "$ledger"
mkdir -p build/fuzz/artifacts build/fuzz/running

# Least-fuzzed target under the goal that no other worker holds and that never crashed.
pick() {
  for t in $targets; do
    [[ -e build/fuzz/running/$t ]] && continue
    awk -F'\t' -v t="$t" '$2==t {s+=$3; if ($5 == "finding") bad=1} END {if (!bad) print s+0, t}' "$ledger"
  done | sort -n | awk -v g="$goal" '$1 < g {print $2; exit}'
}

worker() {
  while true; do
    local target
    target=$(flock "$ledger" bash -c "$(declare -f pick); targets='$targets' ledger='$ledger' goal=$goal; t=\$(pick); [[ -n \$t ]] && touch build/fuzz/running/\$t; echo \$t")
    [[ -z $target ]] && return
    local log=build/fuzz/$target.$(date +%s).log work=build/fuzz/corpus/$target
    mkdir -p "$work"
    local status=ok
    /usr/bin/time -f 'cpu %U %S' -o "$log.time" nice -n 19 "build/fuzz/fuzz/${target}_fuzz" \
      -max_total_time="$slice" -max_len=65536 -print_final_stats=1 \
      -artifact_prefix=build/fuzz/artifacts/"$target"- "$work" "fuzz/corpus/$target" >"$log" 2>&1 \
      || status=finding
    local cpu execs
    cpu=$(awk '/^cpu/ {print int($2 + $3)}' "$log.time")
    execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
    flock "$ledger" printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$target" "${cpu:-0}" "${execs:-0}" "$status" >>"$ledger"
    rm -f "build/fuzz/running/$target"
  done
}

for ((i = 0; i < workers; i++)); do worker & done
wait
report
