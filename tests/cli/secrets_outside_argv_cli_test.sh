#!/usr/bin/env bash
# secrets_outside_argv_cli_test.sh AUTHPP: `authpp signin -f password=…` and `authpp token
# --secret …` put secrets in argv, where `ps` shows them to every local user. The non-argv forms
# (signin --field-file/--field-env, token --secret-file) must give the same results as the argv
# forms, and fail with exit code 2 and one line naming the file or variable, never the secret.
set -euo pipefail

# shellcheck source=tests/cli/cli_test_lib.sh
source "$(dirname "$0")/cli_test_lib.sh" "$@"
umask 077

echo "== --help documents the non-argv forms"
expect 0 "$authpp" signin --help
out_has "--field-file"
out_has "--field-env"
out_has "visible to other local users"
expect 0 "$authpp" token encode --help
out_has "--secret-file"
out_has "visible to other local users"

echo "== token: --secret-file (file and stdin) and AUTH_SECRET decode as --secret does"
expect 0 "$authpp" secret
secret=$(cat out)
expect 0 "$authpp" secret
other=$(cat out)
printf '%s\n' "$secret" >secret.txt
printf '%s' "$secret" >secret-no-newline.txt
printf '%s\r\n' "$secret" >secret-crlf.txt
echo '{"sub":"1","name":"Ada"}' | expect 0 "$authpp" token encode --secret "$secret"
token=$(cat out)
echo "$token" | expect 0 "$authpp" token decode --secret "$secret"
cp out want_claims.json
out_has '"name":"Ada"'
for f in secret.txt secret-no-newline.txt secret-crlf.txt; do
  echo "$token" | expect 0 "$authpp" token decode --secret-file "$f"
  cmp -s out want_claims.json || fail "token decode --secret-file $f differs from --secret"
done
# `-`: the secret is the first line of stdin, the token (or the claims) follow.
{ printf '%s\n' "$secret"; echo "$token"; } | expect 0 "$authpp" token decode --secret-file -
cmp -s out want_claims.json || fail "token decode --secret-file - differs from --secret"
echo "$token" | AUTH_SECRET=$secret expect 0 "$authpp" token decode
cmp -s out want_claims.json || fail "token decode with AUTH_SECRET differs from --secret"
# Encoding with the file and with stdin gives tokens that --secret decodes.
echo '{"sub":"2"}' | expect 0 "$authpp" token encode --secret-file secret.txt
cp out t2
expect 0 "$authpp" token decode --secret "$secret" <t2
out_has '"sub":"2"'
{ printf '%s\n' "$secret"; echo '{"sub":"3"}'; } | expect 0 "$authpp" token encode --secret-file -
cp out t3
expect 0 "$authpp" token decode --secret "$secret" <t3
out_has '"sub":"3"'

echo "== token: --secret and --secret-file keep their command-line order (the first encrypts)"
printf '%s\n' "$other" >other.txt
echo '{"sub":"4"}' | expect 0 "$authpp" token encode --secret-file other.txt --secret "$secret"
cp out t4
expect 0 "$authpp" token decode --secret "$other" <t4
expect 1 "$authpp" token decode --secret "$secret" <t4
echo '{"sub":"5"}' | expect 0 "$authpp" token encode --secret "$secret" --secret-file other.txt
cp out t5
expect 0 "$authpp" token decode --secret "$secret" <t5
expect 1 "$authpp" token decode --secret "$other" <t5
# Rotation with files only: either secret decodes.
expect 0 "$authpp" token decode --secret-file secret.txt --secret-file other.txt <t4

echo "== token: a missing, empty or twice-read secret is a usage error naming it"
echo "$token" | expect 2 "$authpp" token decode --secret-file missing.txt
err_has "--secret-file: cannot read missing.txt: No such file or directory"
err_is_one_line
: >empty.txt
echo "$token" | expect 2 "$authpp" token decode --secret-file empty.txt
err_has "--secret-file: empty.txt holds an empty secret"
err_is_one_line
printf '\n' | expect 2 "$authpp" token decode --secret-file -
err_has "--secret-file: standard input holds an empty secret"
echo "$token" | expect 2 "$authpp" token decode --secret-file - --secret-file -
err_has "standard input can be read only once"
err_is_one_line
expect 2 "$authpp" token decode --secret-file . </dev/null
err_has "--secret-file: cannot read .: Is a directory"
echo "$token" | expect 2 "$authpp" token decode
err_has "no secret: pass --secret or --secret-file, or set AUTH_SECRET"
# A secret with the wrong key is reported by reason, not by value.
echo "$token" | expect 1 "$authpp" token decode --secret-file other.txt
err_lacks "$other"
err_lacks "$secret"

echo "== signin: --field-file (file and stdin) and --field-env sign in as -f does"
start_server "$tmp/data"
signin() { "$authpp" signin --url "$api" --no-redirect "$@"; }
session_is_demo() {
  expect 0 "$authpp" session --url "$api" --jar "$1"
  out_has "\"email\":\"$demo_email\""
}
expect 0 signin --jar argv.jar -f email="$demo_email" -f password="$demo_password"
cp out want_ok.json
out_has '"error":null'
session_is_demo argv.jar
expect 0 signin --jar wrong.jar -f email="$demo_email" -f password=wrong
cp out want_wrong.json
out_has '"error":"CredentialsSignin"'

printf '%s\n' "$demo_password" >pw.txt
printf '%s' "$demo_password" >pw-no-newline.txt
printf '%s\r\n' "$demo_password" >pw-crlf.txt
for f in pw.txt pw-no-newline.txt pw-crlf.txt; do
  expect 0 signin --jar "$f.jar" -f email="$demo_email" --field-file password="$f"
  cmp -s out want_ok.json || fail "--field-file password=$f differs from -f"
  session_is_demo "$f.jar"
done
printf '%s\n' "$demo_password" |
  expect 0 signin --jar stdin.jar -f email="$demo_email" --field-file password=-
cmp -s out want_ok.json || fail "--field-file password=- differs from -f"
session_is_demo stdin.jar
AUTHPP_TEST_EMAIL=$demo_email AUTHPP_TEST_PW=$demo_password \
  expect 0 signin --jar env.jar --field-env email=AUTHPP_TEST_EMAIL --field-env password=AUTHPP_TEST_PW
cmp -s out want_ok.json || fail "--field-env differs from -f"
session_is_demo env.jar
# Only one line break is stripped: a second one is part of the value, hence a wrong password.
printf '%s\n\n' "$demo_password" >pw-two-newlines.txt
expect 0 signin --jar two.jar -f email="$demo_email" --field-file password=pw-two-newlines.txt
cmp -s out want_wrong.json || fail "a second trailing newline was stripped"
# All three forms mix, and an empty variable is an empty value (as -f password= is).
printf '%s\n' "$demo_email" |
  AUTHPP_TEST_EMPTY='' expect 0 signin --jar mix.jar --field-file email=- --field-env x=AUTHPP_TEST_EMPTY \
    --field-file password=pw.txt -f y=1
cmp -s out want_ok.json || fail "mixed field forms differ from -f"

echo "== signin: a missing file or variable is a usage error naming it, before any request"
expect 2 signin --jar err.jar -f email="$demo_email" --field-file password=missing.txt
err_has "--field-file password: cannot read missing.txt: No such file or directory"
err_is_one_line
[[ ! -e err.jar ]] || fail "a failed --field-file still ran the call"
expect 2 signin --jar err.jar -f email="$demo_email" --field-env password=AUTHPP_TEST_UNSET
err_has "--field-env password: environment variable AUTHPP_TEST_UNSET is not set"
err_is_one_line
expect 2 signin --jar err.jar --field-file password
err_has "--field-file expects NAME=PATH"
expect 2 signin --jar err.jar --field-env password
err_has "--field-env expects NAME=VARIABLE"
expect 2 signin --jar err.jar --field-file =pw.txt
err_has "--field-file expects NAME=PATH"
printf 'a\n' | expect 2 signin --jar err.jar --field-file email=- --field-file password=-
err_has "standard input can be read only once"
expect 2 signin --jar err.jar --field-file password=. </dev/null
err_has "--field-file password: cannot read .: Is a directory"
head -c 70000 /dev/zero | tr '\0' x >big.txt
expect 2 signin --jar err.jar --field-file password=big.txt
err_has "--field-file password: big.txt exceeds 65536 bytes"
[[ ! -e err.jar ]] || fail "a failed field still ran the call"
# The errors never show a value.
AUTHPP_TEST_PW=$demo_password expect 2 signin --jar err.jar --field-env password=AUTHPP_TEST_PW \
  --field-file email=missing.txt
err_lacks "$demo_password"

echo "PASS"
