#!/usr/bin/env bash
# Installs what is needed, builds, and runs the whole test suite: unit tests, fuzz corpus replay
# and the interop tests against the real Auth.js packages from npm.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# The interop peers (Auth.js) and the browser driver, pinned by tests/package-lock.json.
(cd tests && npm ci --no-audit --no-fund --loglevel=error)
scripts/build.sh dev
# The tests start their own databases; one set for the main job must not redirect them.
unset DATABASE_URL
ctest --preset dev --output-on-failure "$@"
