# cli_test_lib.sh: the set-up and helpers shared by the CLI tests. Source it with the test's own
# arguments, `source "$(dirname "$0")/cli_test_lib.sh" "$@"`, where $1 is the authpp binary. It
# sets `authpp` (made absolute) and `tmp` (a scratch directory, made the working directory and
# removed at exit, with any server the test started), and clears the Auth.js variables so that
# nothing leaks in from the caller's environment.
authpp=${1:?usage: $(basename "$0") PATH_TO_AUTHPP}
authpp=$(cd "$(dirname "$authpp")" && pwd)/$(basename "$authpp")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authpp-cli-XXXXXX")
trap 'stop_server; rm -rf "$tmp"' EXIT
cd "$tmp"
unset AUTH_SECRET AUTH_SECRET_1 AUTH_SECRET_2 AUTH_SECRET_3 AUTH_URL AUTH_TRUST_HOST DATABASE_URL

fail() {
  echo "FAIL: $*" >&2
  echo "--- stdout:" >&2
  cat "$tmp/out" >&2 || true
  echo "--- stderr:" >&2
  cat "$tmp/err" >&2 || true
  exit 1
}

# expect CODE COMMAND...: runs COMMAND (stdin inherited) into $tmp/out and $tmp/err and checks
# its exit code.
expect() {
  local want=$1 got=0
  shift
  "$@" >"$tmp/out" 2>"$tmp/err" || got=$?
  [[ $got == "$want" ]] || fail "exit $got, expected $want: $*"
}
out_has() { grep -qF -- "$1" "$tmp/out" || fail "stdout lacks '$1'"; }
err_has() { grep -qF -- "$1" "$tmp/err" || fail "stderr lacks '$1'"; }
err_lacks() { ! grep -qF -- "$1" "$tmp/err" || fail "stderr shows '$1'"; }
err_is_one_line() { [[ $(wc -l <"$tmp/err") == 1 ]] || fail "stderr is not one line"; }

# start_server DIR [ARG...]: runs `authpp serve --dev ARG...` on 127.0.0.1 (port chosen by the
# kernel) with its data in DIR, and sets server_pid, api (the Auth.js API base URL), demo_email
# and demo_password. stop_server stops it; call it from an EXIT trap.
server_pid=
# wait_for_log LOG PATTERN: polls (up to 10 s) until the server's LOG has a line matching the
# extended regular expression PATTERN; fails at once if the server exits first.
wait_for_log() {
  local i
  for i in $(seq 1 200); do
    grep -qsE "$2" "$1" && return 0
    kill -0 "$server_pid" 2>/dev/null || { cat "$1" >&2; fail "authpp serve exited"; }
    sleep 0.05
  done
  cat "$1" >&2
  fail "no line matching '$2' in $1"
}
start_server() {
  local dir=$1 log=$1.log
  "$authpp" serve --listen 127.0.0.1:0 --data-dir "$dir" --dev "${@:2}" >"$log" 2>&1 &
  server_pid=$!
  wait_for_log "$log" 'listening on http://127\.0\.0\.1:'
  api=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -1)/api/auth
  demo_email=$(awk '$1 == "email:" {print $2}' "$log")
  demo_password=$(awk '$1 == "password:" {print $2}' "$log")
  [[ $api == http://127.0.0.1:*/api/auth && -n $demo_email && -n $demo_password ]] ||
    { cat "$log" >&2; fail "authpp serve did not print its address and demo user"; }
}
stop_server() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
