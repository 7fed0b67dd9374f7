#!/usr/bin/env bash
# db_cli_test.sh AUTHPP: `authpp db status` reports a database written by the previous release
# (schema version 1) without changing it, `authpp db migrate` brings it to the current version
# keeping every user and password, and both say so on a database that is up to date. A missing
# file is an error for status (a typo must not look like an empty database). `session revoke`
# of an unknown user is an error that prints nothing on stdout.
set -euo pipefail

fixtures=$(cd "$(dirname "$0")/../fixtures" && pwd)  # before the library makes $tmp the working directory
# shellcheck source=tests/cli/cli_test_lib.sh
source "$(dirname "$0")/cli_test_lib.sh" "$@"

echo "== status of a missing file is an error, and creates nothing"
expect 1 "$authpp" db status --database missing.db
err_has "missing.db: no database here"
[[ ! -e missing.db ]] || fail "db status created missing.db"

echo "== a version-1 database: status reports it, unchanged"
python3 - v1.db "$fixtures/sqlite_schema_v1.sql" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript(open(sys.argv[2]).read())
db.execute("""INSERT INTO users (id, name, email, disabled, created_at)
  VALUES ('0c6f6a3e-8d2a-4a43-9a53-3c1d1b2f0a01', 'Ada', 'ada@example.com', 0, 1700000000001)""")
db.commit()
PY
before=$(sha256sum v1.db)
expect 0 "$authpp" db status --database v1.db
out_has "v1.db: schema version 1 of 5, 4 migrations to apply: run \`authpp db migrate\`"
[[ $(sha256sum v1.db) == "$before" ]] || fail "db status changed the file"

echo "== migrate applies it and keeps the user; then both say up to date"
expect 0 "$authpp" db migrate --database v1.db
out_has "v1.db: migrated from schema version 1 to 5"
expect 0 "$authpp" db status --database v1.db
out_has "v1.db: schema version 5 of 5, up to date"
expect 0 "$authpp" db migrate --database v1.db
out_has "v1.db: schema version 5 of 5, up to date"
expect 0 "$authpp" user list --database v1.db
out_has "ada@example.com"

echo "== a database from a newer authpp is named as such"
python3 -c 'import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); d.execute("INSERT INTO schema_migrations VALUES (99, 0)"); d.commit()' v1.db
expect 1 "$authpp" db status --database v1.db
err_has "schema version 99 of 5: written by a newer authpp"
echo "== session revoke names an unknown user; the client's session command still needs --url"
expect 1 "$authpp" session revoke nobody@example.com --database fresh.db
err_has "no user with email nobody@example.com"
err_is_one_line
[[ ! -s "$tmp/out" ]] || fail "session revoke printed something for an unknown user"
expect 2 "$authpp" session
err_has "--url is required"
echo "PASS"
