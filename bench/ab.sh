#!/usr/bin/env bash
# Interleaved timing of two engine_bench binaries (or one) for one case: ROUNDS short runs of
# each in turn, reported as minimum (the quiet-machine cost) and median CPU time per request.
# Usage: bench/ab.sh FILTER ROUNDS BINARY...
set -euo pipefail
filter=$1 rounds=$2
shift 2
declare -A times
for ((r = 0; r < rounds; r++)); do
  for bin in "$@"; do
    t=$("$bin" --benchmark_filter="$filter" --benchmark_min_time=0.3 2>/dev/null | awk '/^BM_/ {print $4}')
    times[$bin]+="$t "
  done
done
for bin in "$@"; do
  tr ' ' '\n' <<<"${times[$bin]}" | grep . | sort -n |
    awk -v b="$bin" '{a[NR] = $1} END {printf "%s: min %d ns, median %d ns (%d runs)\n", b, a[1], a[int((NR + 1) / 2)], NR}'
done
