#!/usr/bin/env bash
# apple_secret_cli_test.sh AUTHPP: `authpp apple-secret` turns a Sign in with Apple .p8 key into the
# client secret a `type = "apple"` provider takes, and `authpp config check` accepts that secret
# and refuses a dead one. The JWT is checked with OpenSSL against the key's public half, so the
# test does not trust authpp's own verifier. A bad key file fails with one line that never
# echoes the file's contents.
set -euo pipefail

# shellcheck source=tests/cli/cli_test_lib.sh
source "$(dirname "$0")/cli_test_lib.sh" "$@"
command -v openssl >/dev/null || fail "openssl is needed: apt-get install openssl"
unset AUTH_APPLE_SECRET

b64url_decode() { local s=${1//-/+}; s=${s//_//}; while ((${#s} % 4)); do s+==; done; base64 -d <<<"$s"; }

echo "== a .p8 key makes an ES256 secret that OpenSSL verifies"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.p8 2>/dev/null
expect 0 "$authpp" apple-secret --client-id com.example.web --team-id ABCDE12345 \
  --key-id KEYID67890 --key-file key.p8 --days 30
secret=$(cat "$tmp/out")
IFS=. read -r header payload signature <<<"$secret"
[[ $(b64url_decode "$header") == '{"alg":"ES256","kid":"KEYID67890"}' ]] || fail "header: $(b64url_decode "$header")"
claims=$(b64url_decode "$payload")
grep -qF '"iss":"ABCDE12345"' <<<"$claims" || fail "claims: $claims"
grep -qF '"sub":"com.example.web"' <<<"$claims" || fail "claims: $claims"
grep -qF '"aud":"https://appleid.apple.com"' <<<"$claims" || fail "claims: $claims"
iat=$(grep -o '"iat":[0-9]*' <<<"$claims" | cut -d: -f2)
exp=$(grep -o '"exp":[0-9]*' <<<"$claims" | cut -d: -f2)
((exp - iat == 30 * 86400)) || fail "lifetime $((exp - iat)) s, expected 30 days"
# JWS ES256 signatures are r||s (64 bytes); OpenSSL verifies DER, so convert before verifying.
python3 - "$signature" >sig.der <<'PY'
import base64, sys
s = sys.argv[1]; raw = base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
assert len(raw) == 64, len(raw)
def der_int(b):
    b = b.lstrip(b"\0") or b"\0"
    if b[0] & 0x80: b = b"\0" + b
    return b"\x02" + bytes([len(b)]) + b
body = der_int(raw[:32]) + der_int(raw[32:])
sys.stdout.buffer.write(b"\x30" + bytes([len(body)]) + body)
PY
openssl pkey -in key.p8 -pubout -out pub.pem 2>/dev/null
printf '%s' "$header.$payload" >signed.txt
openssl dgst -sha256 -verify pub.pem -signature sig.der signed.txt >/dev/null ||
  fail "OpenSSL does not verify the secret's signature"

echo "== config check accepts the secret for type = \"apple\", and refuses a dead one"
cat >ok.toml <<TOML
[auth]
secrets = ["$("$authpp" secret)"]
[[providers]]
type = "apple"
client_id = "com.example.web"
client_secret = "$secret"
TOML
expect 0 "$authpp" config check --config ok.toml
sed 's/^client_secret = .*/client_secret = "eyJhbGciOiJFUzI1NiJ9.eyJleHAiOjF9.c2ln"/' ok.toml >expired.toml
expect 2 "$authpp" config check --config expired.toml
err_has "providers[0].client_secret: Apple's client secret has expired"

echo "== a bad key file is one line, without its contents"
printf 'not-a-key-but-a-secret-value\n' >bad.p8
expect 2 "$authpp" apple-secret --client-id com.example.web --team-id ABCDE12345 \
  --key-id KEYID67890 --key-file bad.p8
err_is_one_line
err_lacks "not-a-key-but-a-secret-value"
expect 2 "$authpp" apple-secret --client-id com.example.web --team-id ABCDE12345 \
  --key-id KEYID67890 --key-file key.p8 --days 400
err_has "at most 15777000 s"
echo "PASS"
