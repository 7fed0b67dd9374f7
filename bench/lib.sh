# Shared by the bench/*.sh scripts (sourced, not run): a work directory and the processes started
# there, removed and stopped on exit; a free loopback port; one line of wrk figures.
work=$(mktemp -d)
secret=bench-secret-0123456789abcdef0123456789
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wrk_line NAME OUT: requests/s, p50, p99 and non-2xx of one wrk run (`wrk --latency` output).
wrk_line() {
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$2")
  p50=$(awk '$1=="50%" {print $2}' <<<"$2")
  p99=$(awk '$1=="99%" {print $2}' <<<"$2")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$2")
  printf '  %-52s %10s req/s  p50 %-9s p99 %-9s non-2xx %s\n' "$1" "$rps" "$p50" "$p99" "${non2xx:-0}"
}

# serve_signed_in LABEL BIN DIR: starts BIN's `authpp serve` with DIR/authpp.toml on a free port
# and signs a bench user in, leaving served_base, served_csrf_token, served_csrf_cookie and
# served_session_cookie (NAME=VALUE) set, and the server's PID last in `pids`.
serve_signed_in() {
  local label=$1 bin=$2 dir=$3 port jar=$3/jar
  echo bench-password | "$bin" user add bench@example.com --name Bench --database "$dir/authpp.db" >/dev/null
  port=$(free_port)
  AUTH_SECRET=$secret AUTH_URL=http://127.0.0.1:$port "$bin" serve --config "$dir/authpp.toml" \
    --listen 127.0.0.1:$port --database "$dir/authpp.db" >"$dir/out" 2>&1 &
  pids+=($!)
  until grep -q listening "$dir/out"; do sleep 0.1; done
  served_base=http://127.0.0.1:$port
  served_csrf_token=$(curl -s -c "$jar" "$served_base/api/auth/csrf" | sed 's/.*"csrfToken":"\([0-9a-f]*\)".*/\1/')
  curl -s -b "$jar" -c "$jar" -o /dev/null -H 'X-Auth-Return-Redirect: 1' \
    --data-urlencode email=bench@example.com --data-urlencode password=bench-password \
    --data-urlencode "csrfToken=$served_csrf_token" "$served_base/api/auth/callback/credentials"
  served_csrf_cookie=$(awk '$6 ~ /csrf-token$/ {print $6"="$7}' "$jar")
  served_session_cookie=$(awk '$6 ~ /session-token$/ {print $6"="$7}' "$jar")
  [[ -n $served_session_cookie ]] || { echo "could not sign in to $label"; exit 1; }
}
