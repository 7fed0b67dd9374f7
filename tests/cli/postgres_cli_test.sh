#!/usr/bin/env bash
# postgres_cli_test.sh AUTHPP: authpp on PostgreSQL, as an operator switches to it with one line
# (DATABASE_URL): `db status` / `db migrate` on an empty database, `user add` and `user list`,
# `authpp serve` with database sessions (a credentials sign-in writes a row to Auth.js's
# `sessions` table, which `session revoke` deletes, ending the session at once), `db purge`,
# `user totp` and `user passkeys` on authpp's tables there, and errors that name the server but
# never the password in the url. Needs the `postgres` ctest fixture.
set -euo pipefail

# shellcheck source=tests/cli/cli_test_lib.sh
source "$(dirname "$0")/cli_test_lib.sh" "$@"

admin=$(cat "${AUTHPP_TEST_PG_STATE:?run through ctest: the postgres fixture starts the cluster}/url")
db=authpp_cli_$$_$RANDOM
psql -q -v ON_ERROR_STOP=1 "$admin" -c "CREATE DATABASE $db"
trap 'stop_server; psql -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
export DATABASE_URL=${admin%/*}/$db
sql() { psql -qtA -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "$1"; }
port=${DATABASE_URL##*:}
port=${port%%/*}

echo "== db status of an empty database, then migrate, then up to date"
expect 0 "$authpp" db status
out_has "127.0.0.1:$port/$db: schema version 0 of 4, 4 migrations to apply"
expect 0 "$authpp" db migrate
out_has "127.0.0.1:$port/$db: migrated from schema version 0 to 4"
expect 0 "$authpp" db status
out_has "schema version 4 of 4, up to date"
[[ $(sql "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('users', 'accounts', 'sessions', 'verification_token')") == 4 ]] ||
  fail "Auth.js's tables are missing"

echo "== user add and list"
echo 'correct horse battery' | expect 0 "$authpp" user add ada@example.com --name Ada
expect 0 "$authpp" user list
out_has "ada@example.com"
[[ $(sql "SELECT name FROM users WHERE email = 'ada@example.com'") == Ada ]] ||
  fail "the user is not in Auth.js's users table"

echo "== serve: database sessions in PostgreSQL; revoke ends them at once"
cat >authpp.toml <<'TOML'
[auth]
session_strategy = "database"
TOML
AUTH_SECRET=$("$authpp" secret) AUTH_TRUST_HOST=1 "$authpp" serve --config authpp.toml --listen 127.0.0.1:0 \
  --data-dir "$tmp/data" >serve.log 2>&1 &
server_pid=$!
wait_for_log serve.log 'listening on http://127\.0\.0\.1:'
api=$(grep -o 'http://127\.0\.0\.1:[0-9]*' serve.log | head -1)/api/auth
[[ ! -e "$tmp/data/authpp.db" ]] || fail "serve opened the SQLite file while DATABASE_URL is set"
echo 'correct horse battery' >pw
expect 0 "$authpp" signin --url "$api" --no-redirect --jar ada.jar -f email=ada@example.com \
  --field-file password=pw
out_has '"error":null'
[[ $(sql "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.\"userId\" WHERE u.email = 'ada@example.com'") == 1 ]] ||
  fail "no session row for ada"
expect 0 "$authpp" session --url "$api" --jar ada.jar
out_has '"email":"ada@example.com"'
expect 0 "$authpp" session revoke ada@example.com
[[ $(sql "SELECT count(*) FROM sessions") == 0 ]] || fail "revoke left session rows"
expect 0 "$authpp" session --url "$api" --jar ada.jar
out_has "null"
stop_server

echo "== db purge: expired verification tokens go, live ones stay"
sql "INSERT INTO verification_token (identifier, token, expires) VALUES
  ('a@example.com', 'old', now() - interval '1 minute'), ('a@example.com', 'new', now() + interval '1 hour')"
expect 0 "$authpp" db purge
out_has "127.0.0.1:$port/$db: deleted 0 expired sessions and 1 expired verification tokens"
[[ $(sql "SELECT string_agg(token, ',') FROM verification_token") == new ]] || fail "purge deleted the wrong tokens"

echo "== user totp and user passkeys: the enrolment and its codes in PostgreSQL"
command -v oathtool >/dev/null || fail "oathtool is needed: apt-get install oathtool"
AUTH_SECRET=$("$authpp" secret)
export AUTH_SECRET
expect 0 "$authpp" user totp enable ada@example.com
secret=$(sed -n 's/^otpauth:.*[?&]secret=\([A-Z2-7]*\).*$/\1/p' "$tmp/out")
[[ ${#secret} == 32 ]] || fail "enable printed no secret in its URI"
[[ $(sql "SELECT count(*) FROM authpp_totp") == 1 ]] || fail "no row in authpp_totp"
[[ $(sql "SELECT count(*) FROM authpp_recovery_codes") == 10 ]] || fail "not ten recovery codes stored"
sql "SELECT * FROM authpp_totp" | grep -qF "$secret" && fail "the TOTP secret is stored in the clear"
oathtool --totp -b "$secret" | expect 0 "$authpp" user totp confirm ada@example.com
out_has "TOTP confirmed for ada@example.com"
expect 0 "$authpp" user totp status ada@example.com
out_has "totp: confirmed"
expect 0 "$authpp" user passkeys ada@example.com
out_has "passkeys: 0"
expect 0 "$authpp" user totp disable ada@example.com
[[ $(sql "SELECT count(*) FROM authpp_totp") == 0 ]] || fail "disable left the enrolment"
[[ $(sql "SELECT count(*) FROM authpp_recovery_codes") == 0 ]] || fail "disable left recovery codes"
unset AUTH_SECRET

echo "== an unreachable server: named, the password in the url never shown"
DATABASE_URL="postgresql://authpp:hunter2-in-url@127.0.0.1:1/nowhere" expect 1 "$authpp" db status
err_has "127.0.0.1:1/nowhere"
err_lacks "hunter2-in-url"
DATABASE_URL="postgresql://authpp:hunter2-in-url@127.0.0.1:1/nowhere" expect 1 "$authpp" user list
err_lacks "hunter2-in-url"
echo "PASS"
