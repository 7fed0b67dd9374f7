# Shared by the package tests (sourced).

# need TOOL [PACKAGE]: fails loudly, naming the Debian package, when TOOL is missing.
need() {
  command -v "$1" >/dev/null || {
    echo "$1 is needed (apt-get install ${2:-$1})"
    exit 2
  }
}

# start_work makes `work`, a temporary directory that is removed at exit, after the server
# start_serve started (if any) is stopped.
start_work() {
  work=$(mktemp -d)
  server=
  trap 'if [[ -n $server ]]; then kill "$server" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
}

# start_serve OUT AUTHPP ARGS...: runs `AUTHPP serve ARGS...` in the background with its output
# in OUT, waits (bounded) until it listens, and sets `server` (its PID) and `port`.
start_serve() {
  local out=$1 authpp=$2
  shift 2
  "$authpp" serve "$@" >"$out" 2>&1 &
  server=$!
  for ((i = 0; i < 300; ++i)); do
    grep -qs 'listening on' "$out" && break
    kill -0 "$server" 2>/dev/null || { cat "$out"; exit 1; }
    sleep 0.1
  done
  port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$out" | head -1)
  [[ -n $port ]] || { cat "$out"; exit 1; }
}
