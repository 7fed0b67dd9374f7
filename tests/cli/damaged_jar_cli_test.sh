#!/usr/bin/env bash
# damaged_jar_cli_test.sh AUTHPP: a damaged line in a --jar file (a tab-split cookie written by an
# older authpp, a stray CR) once made every later `authpp signin|session|…` call fail to load the
# jar. The line must be skipped with a warning naming it (not its contents), the good cookies kept,
# and the next save must drop it; a file that is not a cookie jar at all must still be refused and
# left untouched.
set -euo pipefail

# shellcheck source=tests/cli/cli_test_lib.sh
source "$(dirname "$0")/cli_test_lib.sh" "$@"

start_server "$tmp/data"
printf '%s\n' "$demo_password" |
  expect 0 "$authpp" signin --url "$api" --jar jar.txt --no-redirect -f email="$demo_email" \
    --field-file password=-
out_has '"error":null'

echo "== damaged lines are skipped with a warning; the session survives"
host=127.0.0.1
printf '%s\tFALSE\t/\tFALSE\t0\tevil\tsecret-a\tsecret-b\n' "$host" >>jar.txt
printf '%s\tFALSE\t/\tFALSE\t0\tcr\tsecret-c\rInjected: 1\n' "$host" >>jar.txt
lines=$(wc -l <jar.txt)
expect 0 "$authpp" session --url "$api" --jar jar.txt
out_has "\"email\":\"$demo_email\""
err_has "authpp: warning: jar.txt:$((lines - 1)): expected 7 tab-separated fields; line skipped"
err_has "authpp: warning: jar.txt:$lines: control character; line skipped"
err_lacks "secret-"
! grep -q 'secret-' jar.txt || fail "the save kept the damaged lines"
expect 0 "$authpp" session --url "$api" --jar jar.txt
out_has "\"email\":\"$demo_email\""
[[ ! -s $tmp/err ]] || fail "warnings after the jar was saved again"

echo "== a file that is not a cookie jar is refused and left alone"
printf 'export PATH=$HOME/bin:$PATH\n' >profile
cp profile profile.orig
expect 1 "$authpp" session --url "$api" --jar profile
err_has "profile: malformed input: not a cookie file: line 1"
cmp -s profile profile.orig || fail "a non-jar file was overwritten"

echo "PASS"
