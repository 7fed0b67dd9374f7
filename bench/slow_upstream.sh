#!/usr/bin/env bash
# The request path with a slow upstream (issue 9): GET /session latency while 64 connections keep
# OAuth callbacks waiting on a token endpoint that answers after 2 s. The waiting requests hold
# no thread: each is a coroutine parked on its connection's loop. The script also counts the
# server's threads before and during the wait.
# Usage: bench/slow_upstream.sh BIN [SECONDS]   (a release build; default 10 s)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
bin=${1:?usage: bench/slow_upstream.sh BIN [SECONDS]}
seconds=${2:-10}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 2; }

# The slow provider: every token request is answered (with invalid_grant) after 2 s, by a thread
# of its own, so it can hold all 64 at once.
idp_port=$(free_port)
cat >"$work/idp.py" <<'PY'
import http.server, json, sys, time
class H(http.server.BaseHTTPRequestHandler):
    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(2)
        self.reply(400, {"error": "invalid_grant"})
    def do_GET(self):
        self.reply(200, {"sub": "x"})
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer.daemon_threads = True
# wrk drops its connections at the end of a run: not worth a traceback each.
http.server.ThreadingHTTPServer.handle_error = lambda self, request, address: None
http.server.ThreadingHTTPServer.request_queue_size = 256
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
python3 "$work/idp.py" "$idp_port" &
pids+=($!)
idp=http://127.0.0.1:$idp_port
until curl -s -o /dev/null "$idp/"; do sleep 0.1; done

port=$(free_port)
cat >"$work/authpp.toml" <<TOML
[server]
threads = 2
[log]
level = "error"
access_log = false
[rate_limit]
enabled = false
[[providers]]
type = "oauth"
id = "slow"
client_id = "bench"
client_secret = "bench-client-secret"
authorization_endpoint = "$idp/authorize"
token_endpoint = "$idp/token"
userinfo_endpoint = "$idp/userinfo"
checks = []
TOML
echo bench-password | "$bin" user add bench@example.com --name Bench --database "$work/authpp.db" >/dev/null
AUTH_SECRET=$secret AUTH_URL=http://127.0.0.1:$port "$bin" serve --config "$work/authpp.toml" \
  --listen 127.0.0.1:$port --database "$work/authpp.db" >"$work/out" 2>&1 &
server=$!
pids+=($server)
until grep -q listening "$work/out"; do sleep 0.1; done
base=http://127.0.0.1:$port
jar=$work/jar
token=$(curl -s -c "$jar" "$base/api/auth/csrf" | sed 's/.*"csrfToken":"\([0-9a-f]*\)".*/\1/')
curl -s -b "$jar" -c "$jar" -o /dev/null -H 'X-Auth-Return-Redirect: 1' \
  --data-urlencode email=bench@example.com --data-urlencode password=bench-password \
  --data-urlencode "csrfToken=$token" "$base/api/auth/callback/credentials"
session=$(awk '$6 ~ /session-token$/ {print $6"="$7}' "$jar")
[[ -n $session ]] || { echo "could not sign in"; exit 1; }
cookie="Cookie: $session"

echo "authpp serve ($bin), 2 I/O threads; token endpoint answers after 2 s"
echo "  threads before: $(ls /proc/$server/task | wc -l)"
wrk_line "GET /session, 8 connections, no upstream wait" \
  "$(wrk -t1 -c8 -d"${seconds}s" --latency -H "$cookie" "$base/api/auth/session")"
# 64 connections keep a callback waiting on the token endpoint, a second longer on each side.
wrk -t1 -c64 -d"$((seconds + 2))s" --timeout 10s --latency "$base/api/auth/callback/slow?code=bench" \
  >"$work/waiting" &
waiting=$!
sleep 1
echo "  threads while 64 requests wait: $(ls /proc/$server/task | wc -l)"
wrk_line "GET /session, 8 connections, 64 callbacks waiting" \
  "$(wrk -t1 -c8 -d"${seconds}s" --latency -H "$cookie" "$base/api/auth/session")"
wait "$waiting"
wrk_line "  the callbacks: 64 connections, each waits 2 s" "$(cat "$work/waiting")"
