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
