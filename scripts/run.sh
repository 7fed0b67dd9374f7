#!/usr/bin/env bash
# The main job: install what is needed, build, and run `authpp serve` in development mode on
# http://127.0.0.1:3000 with the embedded SQLite database under ./var (a secret and a demo user
# are created on first start; the demo credentials are printed once). Extra arguments go to
# `authpp serve`, e.g. scripts/run.sh --listen 127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh dev
exec build/dev/apps/authpp/authpp serve --dev --listen 127.0.0.1:3000 "$@"
