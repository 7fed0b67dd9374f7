#!/usr/bin/env bash
# The request path under a password-guessing flood (issue 9), two `authpp serve` binaries side by
# side in one run on this machine (e.g. main before and after a change):
#   GET /session at 32 and 256 connections          (throughput: no regression)
#   credentials sign-ins per second, right password  (the Argon2id ceiling of the cores)
#   GET /session latency, 8 connections, while 32 more post wrong passwords at full speed
# Rate limits are off for these (the flood must reach the password checks); a last round runs
# the new binary with its default limits, where the flood is throttled instead.
# Usage: bench/flood.sh NEW_BIN [OLD_BIN] [SECONDS]   (release builds; default 10 s)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
new_bin=${1:?usage: bench/flood.sh NEW_BIN [OLD_BIN] [SECONDS]}
old_bin=${2:-}
seconds=${3:-10}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 2; }


# measure LABEL BIN [LIMITS]: LIMITS "on" keeps authpp's rate limits (where the binary has
# them); otherwise they are turned off, so that the flood reaches the password checks.
measure() {
  local label=$1 bin=$2 limits=${3:-off} dir=$work/$1
  mkdir -p "$dir"
  printf '[server]\nthreads = 2\n[log]\nlevel = "error"\naccess_log = false\n' >"$dir/authpp.toml"
  if [[ $limits != on ]]; then
    printf '[rate_limit]\nenabled = false\n' >"$dir/probe.toml"
    AUTH_SECRET=$secret "$bin" config check --config "$dir/probe.toml" >/dev/null 2>&1 &&
      printf '[rate_limit]\nenabled = false\n' >>"$dir/authpp.toml"
  fi
  serve_signed_in "$label" "$bin" "$dir"
  local base=$served_base token=$served_csrf_token csrf=$served_csrf_cookie session=$served_session_cookie
  for password in bench-password wrong; do
    cat >"$dir/$password.lua" <<LUA
wrk.method = "POST"
wrk.body = "email=bench%40example.com&password=$password&csrfToken=$token"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["X-Auth-Return-Redirect"] = "1"
wrk.headers["Cookie"] = "$csrf"
LUA
  done
  local session_url=$base/api/auth/session cookie="Cookie: $csrf; $session"
  echo "$label ($bin)"
  wrk_line "GET /session, 32 connections" "$(wrk -t2 -c32 -d"${seconds}s" --latency -H "$cookie" "$session_url")"
  wrk_line "GET /session, 256 connections" "$(wrk -t2 -c256 -d"${seconds}s" --latency -H "$cookie" "$session_url")"
  wrk_line "sign-in, right password, 32 connections" \
    "$(wrk -t1 -c32 -d"${seconds}s" --latency -s "$dir/bench-password.lua" "$base/api/auth/callback/credentials")"
  # The flood runs a second longer on each side, so the probe never sees it start or stop.
  wrk -t1 -c32 -d"$((seconds + 2))s" --latency -s "$dir/wrong.lua" "$base/api/auth/callback/credentials" \
    >"$dir/flood" &
  local flood=$!
  sleep 1
  wrk_line "GET /session, 8 connections, during the flood" \
    "$(wrk -t1 -c8 -d"${seconds}s" --latency -H "$cookie" "$session_url")"
  wait "$flood"
  wrk_line "  the flood: 32 connections, wrong password" "$(cat "$dir/flood")"
  echo "  resident memory after the run: $(awk '/VmRSS/ {print $2, $3}' /proc/"${pids[-1]}"/status)"
  kill "${pids[-1]}"
}

measure new "$new_bin"
[[ -z $old_bin ]] || measure old "$old_bin"
measure new-with-rate-limits "$new_bin" on
