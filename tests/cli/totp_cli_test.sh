#!/usr/bin/env bash
# totp_cli_test.sh AUTHPP: `authpp user totp enable|confirm|status|disable` against a real SQLite
# file, and sign-ins through `authpp serve` with [totp] enabled = true, with codes computed by an
# independent implementation (OATH Toolkit's oathtool) from the secret the CLI printed: a
# confirmed user needs a code, a code works once, a recovery code works once, and disable lets
# the password alone sign in again. The secret never shows in `status`.
set -euo pipefail

# shellcheck source=tests/cli/cli_test_lib.sh
source "$(dirname "$0")/cli_test_lib.sh" "$@"
umask 077
command -v oathtool >/dev/null || fail "oathtool is needed: apt-get install oathtool"

AUTH_SECRET=$("$authpp" secret)
export AUTH_SECRET
# Parameters other than the defaults, so that the test sees them reach the URI and the engine.
printf '[totp]\nenabled = true\nissuer = "Example Corp"\ndigits = 8\nperiod = 30\nalgorithm = "SHA256"\n' >totp.toml
db=(--config totp.toml --database "$tmp/data/authpp.db")
# code [OATHTOOL ARG...]: the current code of $secret, as an app with these parameters shows it.
code() { oathtool --totp=sha256 --digits=8 -b "$secret" "$@"; }
status_lacks_secret() { ! grep -qiF -- "$secret" "$tmp/out" "$tmp/err" || fail "status shows the secret"; }

echo "== serve with [totp] enabled, and its demo user"
start_server "$tmp/data" --config totp.toml
signin() { "$authpp" signin --url "$api" --no-redirect -f email="$demo_email" -f password="$demo_password" "$@"; }
signed_in_as_demo() {
  expect 0 "$authpp" session --url "$api" --jar "$1"
  out_has "\"email\":\"$demo_email\""
}

echo "== enable: the URI carries the configured issuer and parameters, ten recovery codes"
expect 0 "$authpp" user totp enable "$demo_email" "${db[@]}" --qr qr.svg
cp out enable.txt
uri=$(grep '^otpauth://totp/' enable.txt) || fail "enable printed no otpauth:// URI"
[[ $uri == "otpauth://totp/Example%20Corp:"*"?secret="*"&issuer=Example%20Corp&algorithm=SHA256&digits=8&period=30" ]] ||
  fail "unexpected URI: $uri"
secret=$(sed -n 's/^otpauth:.*[?&]secret=\([A-Z2-7]*\).*$/\1/p' enable.txt)
[[ ${#secret} == 32 ]] || fail "the URI's secret is not 20 bytes of base32: $secret"
grep -E '^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$' enable.txt >recovery.txt || true
[[ $(wc -l <recovery.txt) == 10 ]] || fail "enable did not print ten recovery codes"
[[ $(sort -u recovery.txt | wc -l) == 10 ]] || fail "the recovery codes are not all different"
[[ $(stat -c %a qr.svg) == 600 ]] || fail "the QR code file is not mode 0600"
head -c 4 qr.svg | grep -q '^<svg' || fail "qr.svg is not an SVG"
# An existing file is never overwritten (nor its mode kept): it may be someone else's.
expect 2 "$authpp" user totp enable "$demo_email" "${db[@]}" --qr qr.svg
err_has "--qr: cannot create qr.svg: File exists"

echo "== status: pending; a pending enrolment asks for no code"
expect 0 "$authpp" user totp status "$demo_email" "${db[@]}"
out_has "totp: pending"
out_has "recovery codes left: 10"
grep -qE '^created: [0-9]{4}-[0-9]{2}-[0-9]{2}T' "$tmp/out" || fail "status lacks the creation time"
status_lacks_secret
expect 0 signin --jar pending.jar
out_has '"error":null'

echo "== confirm: the code comes on stdin; a wrong or missing one is refused"
expect 2 "$authpp" user totp confirm "$demo_email" "${db[@]}" </dev/null
err_has "no code"
echo 1234567 | expect 1 "$authpp" user totp confirm "$demo_email" "${db[@]}"
err_has "the code was not accepted"
code | expect 2 env -u AUTH_SECRET "$authpp" user totp confirm "$demo_email" "${db[@]}"
err_has "no secret"
code | expect 0 "$authpp" user totp confirm "$demo_email" "${db[@]}"
out_has "TOTP confirmed for $demo_email"
code | expect 1 "$authpp" user totp confirm "$demo_email" "${db[@]}"
err_has "confirmed already"
expect 0 "$authpp" user totp status "$demo_email" "${db[@]}"
out_has "totp: confirmed"
status_lacks_secret

echo "== sign-in: the password alone is not enough; a code works once"
expect 0 signin --jar none.jar
out_has '"error":"CredentialsSignin"'
out_has '"code":"totp_required"'
# confirm used the current step: the next step's code (within the window of one) is unused.
next=$(code -N "now + 30 seconds")
printf '%s\n' "$next" | expect 0 signin --jar totp.jar --field-file totp=-
out_has '"error":null'
signed_in_as_demo totp.jar
expect 0 signin --jar replay.jar -f totp="$next"
out_has '"error":"CredentialsSignin"'
out_has '"code":"totp_required"'

echo "== a recovery code works once"
recovery=$(head -1 recovery.txt)
expect 0 signin --jar recovery.jar -f totp="$recovery"
out_has '"error":null'
signed_in_as_demo recovery.jar
expect 0 signin --jar recovery-again.jar -f totp="$recovery"
out_has '"code":"totp_required"'
expect 0 "$authpp" user totp status "$demo_email" "${db[@]}"
out_has "recovery codes left: 9"
status_lacks_secret

echo "== enable refuses to replace a confirmed factor"
expect 1 "$authpp" user totp enable "$demo_email" "${db[@]}"
err_has "has a confirmed TOTP already"

echo "== disable: the password alone signs in again; a second disable fails"
expect 0 "$authpp" user totp disable "$demo_email" "${db[@]}"
out_has "removed the TOTP and recovery codes of $demo_email"
expect 0 signin --jar after.jar
out_has '"error":null'
signed_in_as_demo after.jar
expect 1 "$authpp" user totp disable "$demo_email" "${db[@]}"
err_has "$demo_email has no TOTP"
err_is_one_line
expect 0 "$authpp" user totp status "$demo_email" "${db[@]}"
out_has "totp: none"

echo "== unknown users, bad addresses, no secret"
expect 1 "$authpp" user totp status nobody@example.com "${db[@]}"
err_has "no user with email nobody@example.com"
expect 1 "$authpp" user totp disable nobody@example.com "${db[@]}"
err_has "no user with email nobody@example.com"
expect 1 "$authpp" user totp enable nobody@example.com "${db[@]}"
err_has "no user with email nobody@example.com"
expect 2 "$authpp" user totp enable not-an-email "${db[@]}"
expect 2 env -u AUTH_SECRET "$authpp" user totp enable "$demo_email" "${db[@]}"
err_has "no secret"
expect 0 "$authpp" user totp status "$demo_email" "${db[@]}"
out_has "totp: none"

echo "PASS"
