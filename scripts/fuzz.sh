#!/usr/bin/env bash
# Builds the libFuzzer targets (Clang 14, ASan/UBSan) and runs each for SECONDS (default 60),
# starting from its committed corpus. New interesting inputs go to build/fuzz/corpus/<target>;
# a crash stops the run with the reproducer in build/fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
scripts/build.sh fuzz
mkdir -p build/fuzz/artifacts
for corpus in fuzz/corpus/*/; do
  target=$(basename "$corpus")
  work=build/fuzz/corpus/$target
  mkdir -p "$work"
  echo "fuzzing $target for ${seconds}s"
  log=build/fuzz/$target.log
  if ! "build/fuzz/fuzz/${target}_fuzz" -max_total_time="$seconds" -max_len=65536 \
    -print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/"$target"- "$work" "$corpus" \
    >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz target $target failed; reproducer in build/fuzz/artifacts/"
    exit 1
  fi
  grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units)' "$log" || tail -n 3 "$log"
done
