#!/usr/bin/env bash
# The smallest build a consumer can ask for: every optional component off (SQLite, PostgreSQL,
# libcurl, cpp-httplib), no tests, warnings as errors. It must build, install without the parts
# it left out, link none of their libraries, let a consumer build the engine and Beast examples
# with find_package(authpp) and run the engine, and make `authpp serve` say what is missing.
# Usage: tests/package/minimal_test.sh [BUILD_DIR]   (default: build/minimal, configured here)
set -euo pipefail
repo=$(realpath "$(dirname "$0")/../..")
# shellcheck source=tests/package/lib.sh
source "$repo/tests/package/lib.sh"
need cmake
need ninja ninja-build
need g++
need ldd libc-bin
build_dir=${1:-$repo/build/minimal}
start_work
prefix=$work/prefix

echo "--- build with every optional component off"
cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE= -DAUTHPP_WITH_SQLITE=OFF \
  -DAUTHPP_WITH_POSTGRES=OFF -DAUTHPP_WITH_CURL=OFF -DAUTHPP_WITH_CPP_HTTPLIB=OFF \
  -DAUTHPP_BUILD_TESTS=OFF -DAUTHPP_BUILD_EXAMPLES=OFF -DAUTHPP_WARNINGS_AS_ERRORS=ON >/dev/null
cmake --build "$build_dir"
cmake --install "$build_dir" --prefix "$prefix" >/dev/null

echo "--- what was left out is not installed, and its libraries are not linked"
for absent in include/authpp/client include/authpp/cpphttplib lib/libauthpp_client.a \
  lib/libauthpp_cpphttplib.a; do
  [[ ! -e $prefix/$absent ]] || { echo "installed although built without it: $absent"; exit 1; }
done
test -f "$prefix/include/authpp/auth/store_credentials.hpp"
ldd "$prefix/bin/authpp" | tee "$work/ldd.out"
if grep -E 'lib(curl|sqlite3|pq)\.' "$work/ldd.out"; then
  echo "the minimal authpp links a library it was built without"
  exit 1
fi

echo "--- a consumer builds the engine and Beast examples against it"
cmake -S "$repo/examples" -B "$work/examples" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/examples" >/dev/null
test -x "$work/examples/beast_app"
[[ ! -e $work/examples/client_quickstart ]]  # no authpp::client in this package
"$work/examples/engine_quickstart" | tee "$work/engine.out"
grep -q '"email":"ada@example.com"' "$work/engine.out"

echo "--- authpp serve names the missing database instead of failing obscurely"
status=0
"$prefix/bin/authpp" serve --dev --listen 127.0.0.1:0 --data-dir "$work/data" >"$work/serve.out" 2>&1 ||
  status=$?
cat "$work/serve.out"
[[ $status == 2 ]] || { echo "expected exit status 2, got $status"; exit 1; }
grep -q 'not in this build: SQLite: this authpp was built with AUTHPP_WITH_SQLITE=OFF' "$work/serve.out"
echo "minimal build test passed"
