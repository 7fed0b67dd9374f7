#!/usr/bin/env bash
# No public header includes a library that only authpp's sources link against: a consumer of the
# installed package would need that library's headers to compile, and would be tied to them.
# Usage: public_headers_test.sh INCLUDE_DIR
set -euo pipefail
include_dir=${1:?usage: public_headers_test.sh INCLUDE_DIR}
status=0
for pattern in '<openssl/' '<curl/' '<sqlite3.h>' '<libpq-fe.h>' '<postgresql/' '<sodium' \
  '<hiredis/' '<toml++/'; do
  if hits=$(grep -rn --include='*.hpp' -F "#include $pattern" "$include_dir"); then
    echo "public headers include $pattern, an implementation detail:"
    echo "$hits"
    status=1
  fi
done
count=$(find "$include_dir" -name '*.hpp' | wc -l)
((count > 0)) || { echo "no headers under $include_dir"; exit 1; }
((status == 0)) && echo "$count public headers, none including an implementation library"
exit $status
