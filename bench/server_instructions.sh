#!/usr/bin/env bash
# User-space instructions per GET /session in a whole `authpp serve` process (callgrind), for
# one or more binaries: a figure that does not wander with the machine's load, where req/s here
# moves by ±20 % between runs. Two runs of 300 and 1300 keep-alive requests; the difference over
# the 1000 extra requests cancels start-up and shutdown. Kernel time is not counted: compare
# system calls per request with `strace -c` when a change could move it.
# Usage: bench/server_instructions.sh BIN...   (release builds)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
[[ $# -gt 0 ]] || { echo "usage: bench/server_instructions.sh BIN..."; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind is needed: apt-get install valgrind"; exit 2; }

instructions() {  # BIN -> instructions per request
  local bin=$1 dir=$work/$RANDOM cookie port vp n
  mkdir -p "$dir"
  printf '[server]\nthreads = 1\n[log]\nlevel = "error"\naccess_log = false\n' >"$dir/authpp.toml"
  serve_signed_in cookie "$bin" "$dir"
  cookie="$served_csrf_cookie; $served_session_cookie"
  kill "${pids[-1]}"
  for n in 300 1300; do
    port=$(free_port)
    rm -f "$dir/out"
    AUTH_SECRET=$secret AUTH_URL=http://127.0.0.1:$port valgrind --tool=callgrind \
      --callgrind-out-file="$dir/callgrind.$n" "$bin" serve --config "$dir/authpp.toml" \
      --listen 127.0.0.1:$port --database "$dir/authpp.db" >"$dir/out" 2>&1 &
    vp=$!
    pids+=("$vp")
    until grep -q listening "$dir/out"; do
      kill -0 "$vp" 2>/dev/null || { cat "$dir/out"; exit 1; }
      sleep 0.2
    done
    python3 - "$port" "$n" "$cookie" <<'PY'
import http.client, sys
port, n, cookie = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
c = http.client.HTTPConnection("127.0.0.1", port)
for _ in range(n):
    c.request("GET", "/api/auth/session", headers={"Cookie": cookie})
    r = c.getresponse()
    body = r.read()
    assert r.status == 200 and b"expires" in body, (r.status, body)
PY
    kill -TERM "$vp"
    wait "$vp" || true
  done
  local a b
  a=$(callgrind_annotate "$dir/callgrind.300" | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  b=$(callgrind_annotate "$dir/callgrind.1300" | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  echo $(((b - a) / 1000))
}

for bin in "$@"; do
  echo "$bin: $(instructions "$bin") instructions per GET /session (whole server, user space)"
done
