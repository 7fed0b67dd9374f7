#!/usr/bin/env bash
# GET /session throughput of two `authpp serve` binaries, interleaved: both servers run side by
# side and ROUNDS short wrk runs alternate between them at 32 and at 256 connections, so that
# drift on a shared machine (which moves single runs by ±20 % here) hits both alike. Reports
# each binary's median and best req/s and the new/old ratio of the medians.
# Usage: bench/session_ab.sh NEW_BIN OLD_BIN [ROUNDS] [SECONDS]   (release builds; 7 rounds of 5 s)
# NEW_TOML and OLD_TOML (environment) add lines to each server's configuration, so that one
# binary can be compared with itself under two settings, e.g.
#   OLD_TOML=$'[auth]\njwt_revocation_bound = false' bench/session_ab.sh B B
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
new_bin=${1:?usage: bench/session_ab.sh NEW_BIN OLD_BIN [ROUNDS] [SECONDS]}
old_bin=${2:?usage: bench/session_ab.sh NEW_BIN OLD_BIN [ROUNDS] [SECONDS]}
rounds=${3:-7}
seconds=${4:-5}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 2; }

declare -A url cookie results
for label in new old; do
  bin=${label}_bin
  mkdir -p "$work/$label"
  extra=${label^^}_TOML
  printf '[server]\nthreads = 2\n[log]\nlevel = "error"\naccess_log = false\n%s\n' "${!extra:-}" \
    >"$work/$label/authpp.toml"
  serve_signed_in "$label" "${!bin}" "$work/$label"
  url[$label]=$served_base/api/auth/session
  cookie[$label]="Cookie: $served_csrf_cookie; $served_session_cookie"
done

for ((r = 0; r < rounds; r++)); do
  # Alternate which binary goes first, so neither always follows the other's tail.
  order=(new old)
  ((r % 2)) && order=(old new)
  for connections in 32 256; do
    for label in "${order[@]}"; do
      rps=$(wrk -t2 -c"$connections" -d"${seconds}s" -H "${cookie[$label]}" "${url[$label]}" |
        awk '/Requests\/sec/ {print $2}')
      results[$label,$connections]+="$rps "
    done
  done
done

median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
best() { tr ' ' '\n' <<<"$1" | grep . | sort -g | tail -1; }
for connections in 32 256; do
  new_median=$(median "${results[new,$connections]}")
  old_median=$(median "${results[old,$connections]}")
  printf 'GET /session, %3d connections: new median %9.0f best %9.0f | old median %9.0f best %9.0f | new/old %+.1f %%  (%d rounds of %d s)\n' \
    "$connections" "$new_median" "$(best "${results[new,$connections]}")" \
    "$old_median" "$(best "${results[old,$connections]}")" \
    "$(awk -v n="$new_median" -v o="$old_median" 'BEGIN {print (n / o - 1) * 100}')" "$rounds" "$seconds"
done
