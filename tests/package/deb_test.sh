#!/usr/bin/env bash
# The operator's package, end to end: build the .debs with cpack from BUILD_DIR, install authpp's
# into a scratch root with `dpkg --root` (its maintainer scripts run too), and check what an
# operator gets:
# - the files: program, man pages, systemd unit, /etc/authpp/authpp.toml as a conffile;
# - the postinst's secret: /etc/authpp/authpp.env, mode 0600, a strong AUTH_SECRET;
# - the unit: `systemd-analyze verify` (its ExecStart and man page resolved in the root) and
#   `systemd-analyze security` at an exposure of 1.2 or less (a hardening line dropped raises it);
# - the installed program with the installed configuration and secret: a user added, a sign-in
#   and a session through the CLI;
# - purge: the generated secret is gone with the package.
# Usage: tests/package/deb_test.sh BUILD_DIR
set -euo pipefail
build_dir=$(realpath "${1:?usage: deb_test.sh BUILD_DIR}")
# shellcheck source=tests/package/lib.sh
source "$(dirname "$0")/lib.sh"
need cpack cmake
need dpkg
need dpkg-deb dpkg
need systemd-analyze systemd
need help2man
start_work  # $work, removed with the server start_serve ran, at exit
root=$work/root

echo "--- cpack"
(cd "$build_dir" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/out/authpp_*.deb)
ls "$work"/out/authpp-dev_*.deb >/dev/null

echo "--- contents"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$work/files"
for f in /usr/bin/authpp /usr/lib/systemd/system/authpp.service /etc/authpp/authpp.toml \
  /usr/share/man/man1/authpp.1 /usr/share/man/man1/authpp-serve.1 /usr/share/man/man1/authpp-user.1 \
  /usr/share/doc/authpp/authpp.example.toml; do
  grep -qx "$f" "$work/files" || { echo "missing from the package: $f"; exit 1; }
done
dpkg-deb -e "$deb" "$work/control"
grep -qx /etc/authpp/authpp.toml "$work/control/conffiles"  # an operator's edits survive upgrades
grep -q '^Depends:.*libssl3' "$work/control/control"          # found by dpkg-shlibdeps
! grep -q 'authpp/include\|\.a$' "$work/files" || { echo "development files in the server package"; exit 1; }

echo "--- dpkg --root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
# The root has no libc of its own, so Depends cannot be met in it; the host's libraries run it.
dpkg --root="$root" --force-script-chrootless --force-depends -i "$deb" >"$work/dpkg.log" 2>&1 ||
  { cat "$work/dpkg.log"; exit 1; }
env_file=$root/etc/authpp/authpp.env
[[ $(stat -c %a "$env_file") == 600 ]] || { echo "authpp.env is not mode 0600"; exit 1; }
secret=$(sed -n 's/^AUTH_SECRET=//p' "$env_file")
[[ ${#secret} -ge 43 ]] || { echo "no strong AUTH_SECRET in authpp.env"; exit 1; }
man -l "$root/usr/share/man/man1/authpp-serve.1" 2>/dev/null >"$work/serve.man"
grep -q -- '--config' "$work/serve.man" || { echo "authpp-serve(1) lacks serve's options"; exit 1; }
# The unit, the configuration and authpp.env send operators there for secret rotation.
grep -q 'AUTH_SECRET_1' "$work/serve.man" || { echo "authpp-serve(1) lacks AUTH_SECRET_1"; exit 1; }

echo "--- the unit"
# systemd-analyze resolves the unit's dependencies in the root: give it the host's targets.
for unit in /lib/systemd/system/*.target /lib/systemd/system/systemd-tmpfiles-setup.service; do
  cp -L "$unit" "$root/usr/lib/systemd/system/" 2>/dev/null || true
done
(cd "$work" && MANPATH=$root/usr/share/man systemd-analyze verify --root="$root" authpp.service)
(cd "$work" && systemd-analyze security --offline=yes --root="$root" --threshold=12 authpp.service) \
  >"$work/security.log" 2>&1 || { cat "$work/security.log"; exit 1; }
tail -n 1 "$work/security.log"

echo "--- the installed program, configuration and secret"
authpp=$root/usr/bin/authpp
config=$root/etc/authpp/authpp.toml
set -a
# shellcheck disable=SC1090
source "$env_file"
set +a
"$authpp" config check --config "$config" >/dev/null
data=$work/state  # stands in for /var/lib/authpp
printf 'correct horse battery staple\n' |
  "$authpp" user add --config "$config" --database "$data/authpp.db" ops@example.com >/dev/null
start_serve "$work/serve.out" "$authpp" --config "$config" --listen 127.0.0.1:0 --data-dir "$data"
url=http://127.0.0.1:$port/api/auth
printf 'correct horse battery staple' >"$work/password"
"$authpp" signin --url "$url" --jar "$work/jar" -f email=ops@example.com \
  --field-file password="$work/password" --no-redirect >/dev/null
"$authpp" session --url "$url" --jar "$work/jar" | grep -q '"email":"ops@example.com"'
echo "signed in with the package's configuration and secret"

echo "--- purge"
dpkg --root="$root" --force-script-chrootless --purge authpp >>"$work/dpkg.log" 2>&1 ||
  { cat "$work/dpkg.log"; exit 1; }
[[ ! -e $env_file && ! -e $root/usr/bin/authpp && ! -e $config ]] ||
  { echo "purge left files behind"; exit 1; }
echo "deb test passed"
