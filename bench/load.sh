#!/usr/bin/env bash
# Load benchmark on loopback with wrk: GET /api/auth/session with a signed-in browser's cookies
# (and with the session cookie alone), GET
# /api/auth/csrf, and a credentials sign-in, against `authpp serve` (release build) and, in the
# same run with the same wrk settings, against the reference Auth.js (@auth/core 0.41.3 on Node).
# Prints requests/s, non-2xx counts, the ratio, and authpp's resident memory after the run.
# Usage: bench/load.sh [SECONDS] [CONNECTIONS]     (defaults 10 s, 256 connections)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
seconds=${1:-10}
connections=${2:-256}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 2; }
scripts/install-deps.sh
(cd tests && npm ci --no-audit --no-fund --loglevel=error)
scripts/build.sh release >/dev/null
bin=build/release/apps/authpp/authpp


# --- authpp ---------------------------------------------------------------------------------
cat >"$work/authpp.toml" <<TOML
[server]
threads = 2
[log]
level = "error"
access_log = false
TOML
echo bench-password | "$bin" user add bench@example.com --name Bench --database "$work/authpp.db" >/dev/null
port=$(free_port)
AUTH_SECRET=$secret AUTH_URL=http://127.0.0.1:$port "$bin" serve --config "$work/authpp.toml" \
  --listen 127.0.0.1:$port --database "$work/authpp.db" >"$work/authpp.out" 2>&1 &
pids+=($!)
authpp_pid=$!
until grep -q listening "$work/authpp.out"; do sleep 0.1; done

# --- Auth.js reference -----------------------------------------------------------------------
ref_port=$(free_port)
node tests/bench/authjs_reference.mjs "$ref_port" "$secret" >"$work/ref.out" 2>&1 &
pids+=($!)
until grep -q listening "$work/ref.out"; do sleep 0.1; done

# cookies_for BASE: signs in and prints "csrf_cookie|session_cookie|csrf_token".
cookies_for() {
  local base=$1 jar=$work/jar.$RANDOM token
  token=$(curl -s -c "$jar" "$base/api/auth/csrf" | sed 's/.*"csrfToken":"\([0-9a-f]*\)".*/\1/')
  curl -s -b "$jar" -c "$jar" -o /dev/null -H 'X-Auth-Return-Redirect: 1' \
    --data-urlencode email=bench@example.com --data-urlencode password=bench-password \
    --data-urlencode "csrfToken=$token" "$base/api/auth/callback/credentials"
  local csrf session
  csrf=$(awk '$6 ~ /csrf-token$/ {print $6"="$7}' "$jar")
  session=$(awk '$6 ~ /session-token$/ {print $6"="$7}' "$jar")
  echo "$csrf|$session|$token"
}

# run NAME BASE PATH [wrk args…]: prints requests/s and non-2xx count.
run() {
  local name=$1 url=$2
  shift 2
  local out
  out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@" "$url")
  local rps non2xx p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  printf '%-46s %12s req/s   p99 %-8s non-2xx %s\n' "$name" "$rps" "$p99" "${non2xx:-0}"
  echo "$rps" >"$work/last"
}

declare -A result
for target in authpp authjs; do
  if [[ $target == authpp ]]; then base=http://127.0.0.1:$port; else base=http://127.0.0.1:$ref_port; fi
  IFS='|' read -r csrf_cookie session_cookie token < <(cookies_for "$base")
  [[ -n $session_cookie ]] || { echo "could not sign in to $target"; exit 1; }
  # What a signed-in browser sends: its CSRF and session cookies. (With the session cookie alone,
  # both servers mint and set a new CSRF cookie on every response, which a browser would keep.)
  run "$target GET /session (valid cookie)" "$base/api/auth/session" \
    -H "Cookie: $csrf_cookie; $session_cookie"
  result[$target.session]=$(cat "$work/last")
  run "$target GET /session (session cookie only)" "$base/api/auth/session" \
    -H "Cookie: $session_cookie"
  run "$target GET /csrf" "$base/api/auth/csrf" -H "Cookie: $csrf_cookie"
  result[$target.csrf]=$(cat "$work/last")
  cat >"$work/signin.lua" <<LUA
wrk.method = "POST"
wrk.body = "email=bench%40example.com&password=bench-password&csrfToken=$token"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["X-Auth-Return-Redirect"] = "1"
wrk.headers["Cookie"] = "$csrf_cookie"
LUA
  run "$target POST credentials sign-in" "$base/api/auth/callback/credentials" -s "$work/signin.lua"
  result[$target.signin]=$(cat "$work/last")
done

echo
for k in session csrf signin; do
  awk -v a="${result[authpp.$k]}" -v b="${result[authjs.$k]}" -v k="$k" \
    'BEGIN { printf "ratio authpp/Auth.js %-8s %6.1fx\n", k, a / b }'
done
echo "authpp resident memory after the run: $(awk '/VmRSS/ {print $2, $3}' /proc/$authpp_pid/status)"
