#!/usr/bin/env bash
# Instructions per auth::handle call for one engine_bench case, counted by callgrind: steady
# where wall-clock timings on a shared machine wander. Two runs of different lengths; the
# difference in instructions over the difference in calls cancels start-up and set-up costs.
# Usage: bench/instructions.sh [FILTER] [ENGINE_BENCH]   (defaults: GetSession, the bench build)
set -euo pipefail
filter=${1:-GetSession}
bin=${2:-$(dirname "$0")/../build/bench/bench/engine_bench}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
measure() {  # SECONDS NAME -> "calls instructions"
  valgrind --tool=callgrind --callgrind-out-file="$work/$2" \
    "--toggle-collect=authpp::auth::handle(*" "$bin" --benchmark_filter="$filter" \
    --benchmark_min_time="$1" >/dev/null 2>&1
  local total calls
  total=$(callgrind_annotate "$work/$2" | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  calls=$(callgrind_annotate --tree=caller "$work/$2" |
    grep -E '^ *[0-9,]+ .*< .*authpp::auth::handle\(authpp::http::request const&\) const \(' |
    grep -oE '\([0-9,]+x\)' | tr -d '(x,)' | paste -sd+ | bc)
  echo "$calls $total"
}
read -r calls_a total_a < <(measure 0.2 short)
read -r calls_b total_b < <(measure 0.8 long)
echo "$filter: $(((total_b - total_a) / (calls_b - calls_a))) instructions per request"
