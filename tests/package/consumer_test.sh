#!/usr/bin/env bash
# What a consumer of the installed package does, end to end: install authpp from BUILD_DIR into a
# temporary prefix, build examples/ there as a separate CMake project with find_package(authpp),
# build the engine example again with pkg-config alone, and run the results: the engine example
# in-process, the client example against the installed `authpp serve --dev`.
# Usage: tests/package/consumer_test.sh BUILD_DIR
set -euo pipefail
build_dir=$(realpath "${1:?usage: consumer_test.sh BUILD_DIR}")
repo=$(realpath "$(dirname "$0")/../..")
# shellcheck source=tests/package/lib.sh
source "$repo/tests/package/lib.sh"
need cmake
need ninja ninja-build
need pkg-config
need g++
start_work  # $work, removed with the server start_serve ran, at exit
prefix=$work/prefix

echo "--- install into a temporary prefix"
cmake --install "$build_dir" --prefix "$prefix" >/dev/null
test -f "$prefix/lib/cmake/authpp/authppConfig.cmake"
test -f "$prefix/lib/cmake/authpp/authppConfigVersion.cmake"
test -f "$prefix/lib/pkgconfig/authpp.pc"
test -x "$prefix/bin/authpp"
test -f "$prefix/include/authpp/auth/auth.hpp"
grep -q "AUTHPP_VERSION_STRING \"$("$prefix/bin/authpp" --version | cut -d' ' -f2)\"" \
  "$prefix/include/authpp/version.hpp"

echo "--- examples/ with find_package(authpp)"
cmake -S "$repo/examples" -B "$work/examples" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/examples" >/dev/null
test -x "$work/examples/httplib_app"  # authpp::cpphttplib and cpp-httplib were found again
test -x "$work/examples/beast_app"
"$work/examples/engine_quickstart" | tee "$work/engine.out"
grep -q '"email":"ada@example.com"' "$work/engine.out"

echo "--- the engine example with pkg-config"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
read -ra flags <<<"$(pkg-config --cflags --libs authpp)"
g++ -std=c++20 "$repo/examples/engine_quickstart/main.cpp" "${flags[@]}" -o "$work/engine_pc"
"$work/engine_pc" | grep -q '"email":"ada@example.com"'
echo "pkg-config build signs in"

echo "--- the client example against the installed authpp serve --dev"
start_serve "$work/serve.out" "$prefix/bin/authpp" --dev --listen 127.0.0.1:0 --data-dir "$work/data"
email=$(sed -n 's/.*email:[[:space:]]*\([^[:space:]]*\).*/\1/p' "$work/serve.out" | head -1)
password=$(sed -n 's/.*password:[[:space:]]*\([^[:space:]]*\).*/\1/p' "$work/serve.out" | head -1)
[[ -n $port && -n $email && -n $password ]] || { cat "$work/serve.out"; exit 1; }
"$work/examples/client_quickstart" "http://127.0.0.1:$port/api/auth" "$email" "$password" |
  tee "$work/client.out"
grep -q "signed in as $email" "$work/client.out"
echo "consumer test passed"
