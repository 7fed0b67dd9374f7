#!/usr/bin/env bash
# OIDC sign-ins per second against a local OpenID Provider (issue 10), authpp and the reference
# Auth.js side by side in one run, with the same provider, the same checks and the same driver:
#   completed sign-ins per second at C concurrent flows (csrf → signin → the IdP's authorize →
#   callback), failures, p50 / p99 of a whole flow, and who used the CPU meanwhile
#   GET /session on authpp (wrk, 8 connections, the cookies of an OIDC sign-in), alone, while the
#   sign-in load runs against the same server, and (the control) while it runs against a second
#   authpp process, which takes the same CPU from the machine but leaves the first one alone
# The provider is tests/bench/fast_idp.mjs (one node process, RS256 ID tokens, no login page),
# the driver tests/bench/oidc_signin_load.mjs, Auth.js tests/bench/authjs_oidc.mjs (@auth/core
# 0.41.3 behind node:http). All share this machine's cores with the server they measure.
# Each measurement first waits until no compiler runs here (ninja, cc1plus).
# Usage: bench/oidc_signin.sh BIN [SECONDS] [CONCURRENCY]   (a release build; default 10 s, 16)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
bin=${1:?usage: bench/oidc_signin.sh BIN [SECONDS] [CONCURRENCY]}
seconds=${2:-10}
concurrency=${3:-16}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 2; }
command -v jq >/dev/null || { echo "jq is needed: apt-get install jq"; exit 2; }
[[ -d tests/node_modules/@auth/core ]] || { echo "tests/node_modules is needed: (cd tests && npm ci)"; exit 2; }
client_id=bench
client_secret=bench-client-secret

# wait_quiet: no measurement while a build runs here (it would take the cores); then the load
# average is printed, so the reader knows how quiet "quiet" was.
wait_quiet() {
  local said=
  while pgrep -x ninja >/dev/null || pgrep -f cc1plus >/dev/null; do
    [[ -n $said ]] || { echo "  (waiting for the build running on this machine to finish)"; said=1; }
    sleep 5
  done
  echo "  load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# CPU time in clock ticks: of a process (user + system), and of the whole machine (busy, total).
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
machine_ticks() { awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
hz=$(getconf CLK_TCK)

idp_port=$(free_port)
node tests/bench/fast_idp.mjs "$idp_port" "$client_id" "$client_secret" >"$work/idp.out" 2>&1 &
idp_pid=$!
pids+=($idp_pid)
until grep -qs listening "$work/idp.out"; do sleep 0.1; done
issuer=http://127.0.0.1:$idp_port

# start_authpp CHECKS: `authpp serve` with one OIDC provider; CHECKS a TOML array or "" for the
# default. Sets server_pid and base.
start_authpp() {
  local dir=$work/authpp-$RANDOM port
  mkdir -p "$dir"
  cat >"$dir/authpp.toml" <<TOML
[server]
threads = 2
[log]
level = "error"
access_log = false
[rate_limit]
enabled = false
[[providers]]
type = "oidc"
id = "oidc"
issuer = "$issuer"
client_id = "$client_id"
client_secret = "$client_secret"
${1:+checks = $1}
TOML
  port=$(free_port)
  AUTH_SECRET=$secret AUTH_URL=http://127.0.0.1:$port "$bin" serve --config "$dir/authpp.toml" \
    --listen 127.0.0.1:$port --database "$dir/authpp.db" >"$dir/out" 2>&1 &
  server_pid=$!
  pids+=($server_pid)
  until grep -qs listening "$dir/out"; do sleep 0.1; done
  base=http://127.0.0.1:$port
}

# start_authjs CHECKS: the reference with the same provider; CHECKS comma-separated or "".
start_authjs() {
  local out=$work/authjs-$RANDOM
  node tests/bench/authjs_oidc.mjs "$secret" "$issuer" "$client_id" "$client_secret" $1 >"$out" 2>&1 &
  server_pid=$!
  pids+=($server_pid)
  until grep -qs listening "$out"; do sleep 0.1; done
  base=$(awk '/listening/ {print $2}' "$out")
}

# flows LABEL [DRIVER ARGS…]: one run of the driver against $base while sampling the CPU time
# of the server, the IdP and the machine; prints the figures and the IdP's requests per sign-in.
flows() {
  local label=$1 before after s0 i0 m0 s1 i1 m1 out
  shift
  wait_quiet
  before=$(curl -s "$issuer/_stats")
  s0=$(ticks "$server_pid"); i0=$(ticks "$idp_pid"); read -r -a m0 <<<"$(machine_ticks)"
  out=$(node tests/bench/oidc_signin_load.mjs "$base" --concurrency "$concurrency" --seconds "$seconds" "$@")
  s1=$(ticks "$server_pid"); i1=$(ticks "$idp_pid"); read -r -a m1 <<<"$(machine_ticks)"
  after=$(curl -s "$issuer/_stats")
  jq -r --arg name "$label" '"  \($name)\n    \(.signinsPerSecond) sign-ins/s (\(.completed) in \(.seconds) s), failures \(.failed)\(if .failed > 0 then " \(.failures) first: \(.firstFailure)" else "" end), flow p50 \(.p50ms) ms p99 \(.p99ms) ms max \(.maxms) ms\n    step p50 (ms): csrf \(.stepP50ms.csrf), signin \(.stepP50ms.signin), IdP authorize \(.stepP50ms.authorize), callback \(.stepP50ms.callback)"' <<<"$out"
  local elapsed completed
  elapsed=$(jq .seconds <<<"$out")
  completed=$(jq .completed <<<"$out")
  awk -v s=$((s1 - s0)) -v i=$((i1 - i0)) -v hz="$hz" -v t="$elapsed" -v d="$(jq .driverCpuPercent <<<"$out")" \
    -v busy=$((m1[0] - m0[0])) -v total=$((m1[1] - m0[1])) \
    -v cores="$(nproc)" \
    'BEGIN { server = 100 * s / hz / t; idp = 100 * i / hz / t; all = cores * 100 * busy / total
             printf "    CPU (%% of one core): server %.0f, IdP %.0f, driver %.0f, everything else %.0f; machine busy %.0f%% of its %d cores\n",
             server, idp, d, all - server - idp - d, 100 * busy / total, cores }'
  # The server's own requests to the IdP (the driver sends no user-agent), per completed sign-in.
  jq -r -n --argjson a "$after" --argjson b "$before" --argjson n "$completed" '
    [$a.requests | to_entries[] | select(.key | startswith("- ") or startswith("curl/") | not)
     | {k: (.key | split(" ")[2]), v: (.value - ($b.requests[.key] // 0))}]
    | group_by(.k) | map("\(.[0].k) \((map(.v) | add) / ([$n, 1] | max) * 100 | round / 100)") | join(", ")
    | "    the server'"'"'s requests to the IdP per sign-in: \(.)"'
}

echo "OIDC sign-ins, $concurrency concurrent flows, ${seconds} s each; IdP $issuer (node, 1 process)"
echo "authpp serve ($bin), 2 I/O threads"
start_authpp '["pkce", "state", "nonce"]'
flows 'checks pkce, state, nonce' --cookie-file "$work/cookies"
cookie="Cookie: $(cat "$work/cookies")"
authpp_base=$base
authpp_pid=$server_pid

# probe LABEL [LOAD_BASE]: GET /session on the first authpp with wrk (8 connections), alone or
# while the sign-in load runs against LOAD_BASE; the load runs two seconds longer, so the probe
# never sees it start or stop. Prints the CPU of the authpp processes and the IdP meanwhile.
probe() {
  local label=$1 load_base=${2:-} load a0 b0 i0 m0 a1 b1 i1 m1 out
  wait_quiet
  if [[ -n $load_base ]]; then
    node tests/bench/oidc_signin_load.mjs "$load_base" --concurrency "$concurrency" \
      --seconds "$((seconds + 2))" >"$work/during" &
    load=$!
    sleep 1
  fi
  a0=$(ticks "$authpp_pid"); b0=$(ticks "$other_pid"); i0=$(ticks "$idp_pid"); read -r -a m0 <<<"$(machine_ticks)"
  out=$(wrk -t1 -c8 -d"${seconds}s" --latency -H "$cookie" "$authpp_base/api/auth/session")
  a1=$(ticks "$authpp_pid"); b1=$(ticks "$other_pid"); i1=$(ticks "$idp_pid"); read -r -a m1 <<<"$(machine_ticks)"
  wrk_line "$label" "$out"
  [[ -z $load_base ]] || wait "$load"
  awk -v a=$((a1 - a0)) -v b=$((b1 - b0)) -v i=$((i1 - i0)) -v hz="$hz" -v t="$seconds" \
    -v busy=$((m1[0] - m0[0])) -v total=$((m1[1] - m0[1])) -v cores="$(nproc)" \
    'BEGIN { printf "    CPU (%% of one core): this authpp %.0f, the other authpp %.0f, IdP %.0f; machine busy %.0f%% of its %d cores\n",
             100 * a / hz / t, 100 * b / hz / t, 100 * i / hz / t, 100 * busy / total, cores }'
  [[ -z $load_base ]] ||
    jq -r '"    the sign-ins meanwhile: \(.signinsPerSecond)/s, failures \(.failed), flow p50 \(.p50ms) ms p99 \(.p99ms) ms; driver CPU \(.driverCpuPercent)%"' "$work/during"
}

# A second authpp, the same configuration, as the control: sign-ins against it take the same CPU
# from the machine (driver, IdP, a server) without touching the server that answers /session.
start_authpp '["pkce", "state", "nonce"]'
other_pid=$server_pid
other_base=$base
probe "GET /session, 8 connections, alone"
probe "GET /session, 8 connections, during the sign-in load" "$authpp_base"
probe "  control: sign-ins against the other authpp" "$other_base"
echo "  resident memory after the run: $(awk '/VmRSS/ {print $2, $3}' /proc/"$authpp_pid"/status)"
kill "$authpp_pid" "$other_pid"

start_authpp ""
flows 'checks default (["pkce"])'
kill "$server_pid"

echo "Auth.js (@auth/core 0.41.3 on node $(node --version), tests/bench/authjs_oidc.mjs)"
start_authjs pkce,state,nonce
flows 'checks pkce, state, nonce'
kill "$server_pid"
start_authjs ""
flows 'checks default (["pkce"])'
kill "$server_pid"
