#!/usr/bin/env bash
# Installs the Debian packages authpp needs to build and test. Idempotent: when everything is
# present it changes nothing and does not touch the network.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang-14 clang-format-14 libclang-rt-14-dev
  libboost1.81-dev libboost-url1.81-dev libssl-dev libcurl4-openssl-dev nlohmann-json3-dev
  libsodium-dev libsqlite3-dev libpq-dev postgresql-15 libkainjow-mustache-dev libspdlog-dev
  libfmt-dev
  libcli11-dev libtomlplusplus-dev libgtest-dev libgmock-dev libbenchmark-dev
  chromium  # the real browser of the end-to-end tests (driven by playwright-core)
  # postgresql-15: the tests start throw-away clusters of it (scripts/pg-cluster.sh)
  python3-aiosmtpd  # the SMTP server the e-mail sign-in tests send their links to
  python3-cbor2 python3-fido2  # independent CBOR and WebAuthn encoders the passkey tests check against
  libhiredis-dev redis-server  # rate-limit counters in Redis; the tests start their own server
  libcpp-httplib-dev  # the cpp-httplib adapter (authpp::cpphttplib) and its example
  help2man  # the man pages, written from authpp --help
  zbar-tools librsvg2-bin python3-qrcode  # the QR tests decode our SVGs and compare with python-qrcode
  oathtool  # an independent TOTP implementation the tests compare codes with
  nginx caddy  # the reverse proxies of the forward-auth tests (started by the tests, never as services)
)
# Node.js runs the real Auth.js packages our interop tests compare against.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
echo "installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
