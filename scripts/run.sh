#!/usr/bin/env bash
# The main job: install what is needed, build, and run authpp. Arguments go to `authpp`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh dev
bin=build/dev/apps/authpp/authpp
if (($# > 0)); then
  exec "$bin" "$@"
fi
# Until `authpp serve` exists, show the toolbox: a secret, and a session token minted and read
# back with it exactly as Auth.js would.
secret=$("$bin" secret)
echo "A new secret (use it as AUTH_SECRET):  $secret"
token=$(echo '{"name":"Ada","email":"ada@example.com","sub":"1"}' |
  "$bin" token encode --secret "$secret")
echo "A session token for it:                ${token:0:48}…"
echo -n "Decoded again:                         "
echo "$token" | "$bin" token decode --secret "$secret"
echo
"$bin" --help
