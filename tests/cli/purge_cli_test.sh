#!/usr/bin/env bash
# purge_cli_test.sh AUTHPP: expired database sessions and verification tokens (links never
# followed, used passkey challenges) are deleted, and nothing else: by `authpp db purge` on
# demand, and by `authpp serve` at start (then every storage.purge_interval).
set -euo pipefail

# shellcheck source=tests/cli/cli_test_lib.sh
source "$(dirname "$0")/cli_test_lib.sh" "$@"

# value DB SQL: the first column of the first row.
value() {
  python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$1" "$2"
}
# seed DB: for its first user, a session and a verification token that expired a minute ago,
# and one of each that lives another hour.
seed() {
  python3 - "$1" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
now = int(time.time() * 1000)
user = db.execute("SELECT id FROM users LIMIT 1").fetchone()[0]
db.executemany('INSERT INTO sessions ("sessionToken", "userId", expires) VALUES (?, ?, ?)',
               [("expired", user, now - 60000), ("live", user, now + 3600000)])
db.executemany("INSERT INTO verification_token (identifier, token, expires) VALUES (?, ?, ?)",
               [("a@example.com", "expired", now - 60000), ("a@example.com", "live", now + 3600000)])
db.commit()
PY
}
only_live_rows_left() {
  [[ $(value "$1" 'SELECT group_concat("sessionToken") FROM sessions') == live ]] ||
    fail "sessions left: $(value "$1" 'SELECT group_concat("sessionToken") FROM sessions')"
  [[ $(value "$1" 'SELECT group_concat(token) FROM verification_token') == live ]] ||
    fail "tokens left: $(value "$1" 'SELECT group_concat(token) FROM verification_token')"
}

echo "== db purge deletes the expired rows only, and says how many"
echo 'correct horse battery' | expect 0 "$authpp" user add ada@example.com --database purge.db
seed purge.db
expect 0 "$authpp" db purge --database purge.db
out_has "purge.db: deleted 1 expired sessions and 1 expired verification tokens"
only_live_rows_left purge.db
expect 0 "$authpp" db purge --database purge.db
out_has "deleted 0 expired sessions and 0 expired verification tokens"
expect 1 "$authpp" db purge --database missing.db
err_has "missing.db: no database here"
[[ ! -e missing.db ]] || fail "db purge created missing.db"

echo "== serve purges at start"
start_server data  # creates the database and its demo user
stop_server
seed data/authpp.db
"$authpp" serve --listen 127.0.0.1:0 --data-dir data --dev >again.log 2>&1 &
server_pid=$!
wait_for_log again.log 'Purged: '  # logged after both deletes
grep -q 'Purged: 1 expired sessions and 1 expired verification tokens deleted' again.log ||
  { cat again.log >&2; fail "serve did not log the purge and its counts"; }
only_live_rows_left data/authpp.db
stop_server
echo "PASS"
