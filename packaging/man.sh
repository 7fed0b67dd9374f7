#!/usr/bin/env bash
# Writes the man pages of the authpp program from its own --help, with help2man (Debian
# help2man): authpp(1) and one page per subcommand, authpp-<name>(1), whose nested subcommands
# (`authpp user add`, …) appear in it with their own --help. The pages cannot drift from the help.
# Usage: packaging/man.sh AUTHPP OUTDIR
set -euo pipefail
authpp=$(realpath "${1:?usage: man.sh AUTHPP OUTDIR}")
out=${2:?usage: man.sh AUTHPP OUTDIR}
command -v help2man >/dev/null || { echo "help2man is needed for the man pages (apt-get install help2man)" >&2; exit 2; }
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=$("$authpp" --version)

# The subcommands and their one-line descriptions, as --help lists them.
subcommands() { "$authpp" "$@" --help | awk '/^Subcommands:/ {on=1; next} on && NF {print $1 "\t" substr($0, index($0, $2))}'; }

# The nested subcommands' help, verbatim, as an include file for help2man.
nested_help() {
  local parent=$1
  subcommands "$parent" | while IFS=$'\t' read -r name _; do
    printf '.SS "authpp %s %s"\n.nf\n' "$parent" "$name"
    "$authpp" "$parent" "$name" --help | sed -e 's/\\/\\e/g' -e 's/^\./\\\&./'
    printf '.fi\n'
  done
}

{
  printf '[SEE ALSO]\n'
  subcommands | cut -f1 | sed 's/.*/.BR authpp\\-& (1),/' | sed '$ s/,$//'
} >"$work/see-also.h2m"
help2man --no-info --no-discard-stderr --version-string="$version" --source=authpp \
  --name="Auth.js-compatible authentication in C++" --include="$work/see-also.h2m" \
  --output="$out/authpp.1" "$authpp"

subcommands | while IFS=$'\t' read -r name description; do
  wrapper=$work/authpp-$name
  printf '#!/bin/sh\nexec "%s" %s "$@"\n' "$authpp" "$name" >"$wrapper"
  chmod +x "$wrapper"
  include=$work/$name.h2m
  printf '[SEE ALSO]\n.BR authpp (1)\n' >"$include"
  if "$authpp" "$name" --help | grep -q '^Subcommands:'; then
    { printf '[SUBCOMMANDS]\n'; nested_help "$name"; } >>"$include"
  fi
  # help2man names the page after the version string's first word.
  help2man --no-info --no-discard-stderr --version-string="authpp-$name ${version#authpp }" \
    --source=authpp --name="$description" --include="$include" --output="$out/authpp-$name.1" "$wrapper"
done
