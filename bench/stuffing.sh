#!/usr/bin/env bash
# The load test of issue 12, on loopback: 256 connections poll GET /session at a fixed rate (open
# loop: latency counts from when each request was due) while 8 connections post credential-stuffing
# guesses at full speed from the same address, each for another account, against a release
# `authpp serve` with its default rate limits (60 POSTs a minute per address). Runs once per rate
# given, and fails when a goal is missed: /session p99 under 10 ms, zero 5xx, the flood held to
# the configured rate.
# Usage: bench/stuffing.sh [SECONDS] [RATE…]     (defaults 30 s; 2000, 5000 and 10000 req/s)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
seconds=${1:-30}
shift || true
(($# > 0)) || set -- 2000 5000 10000
rates=("$@")
scripts/build.sh bench >/dev/null
bin=build/bench/apps/authpp/authpp
load=build/bench/bench/stuffing_load

status=0
for rate in "${rates[@]}"; do
  dir=$work/rate-$rate
  mkdir -p "$dir"
  printf '[server]\nthreads = 2\n[log]\nlevel = "error"\naccess_log = false\n' >"$dir/authpp.toml"
  serve_signed_in "rate $rate" "$bin" "$dir"
  port=${served_base##*:}
  echo "--- $rate req/s on /session, ${seconds} s"
  "$load" --port "$port" --cookie "$served_csrf_cookie; $served_session_cookie" \
    --csrf-cookie "$served_csrf_cookie" --csrf-token "$served_csrf_token" \
    --connections 256 --rate "$rate" --stuffers 8 --seconds "$seconds" || status=1
  echo "  resident memory after the run: $(awk '/VmRSS/ {print $2, $3}' /proc/"${pids[-1]}"/status)"
  kill "${pids[-1]}"
done
exit $status
