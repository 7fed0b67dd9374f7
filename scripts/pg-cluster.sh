#!/usr/bin/env bash
# A throw-away PostgreSQL 15 cluster for tests and local experiments: initdb in a temp directory,
# listening on 127.0.0.1 only, on a free port, with trust authentication (nothing else can reach
# it). Never a system service.
#
#   scripts/pg-cluster.sh start STATE          starts one; writes its URL to STATE/url, prints it
#   scripts/pg-cluster.sh stop STATE           stops it (by its PID) and deletes its files
#   scripts/pg-cluster.sh stop-server STATE    stops the server (fast: clients are told), keeps
#   scripts/pg-cluster.sh start-server STATE   the files, and starts it again, on the same port
#
# PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user that
# Debian's postgresql-15 package creates.
set -euo pipefail

usage() {
  echo "usage: $0 start|stop|stop-server|start-server STATE_DIR" >&2
  exit 2
}
(($# == 2)) || usage
action=$1
state=$2
bin=/usr/lib/postgresql/15/bin
if [[ ! -x $bin/initdb || ! -x $bin/pg_ctl ]]; then
  echo "$0: PostgreSQL 15 is not installed ($bin/initdb): apt-get install postgresql-15" >&2
  exit 1
fi

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop() {
  [[ -f $state/data_dir ]] || return 0
  local data
  data=$(cat "$state/data_dir")
  if [[ -f $data/postmaster.pid ]]; then
    as_owner "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 ||
      kill -9 "$(head -1 "$data/postmaster.pid")" 2>/dev/null || true
  fi
  rm -rf "$(dirname "$data")" "$state/url" "$state/data_dir"
}

case $action in
  start)
    mkdir -p "$state"
    stop # a cluster left behind by an interrupted run
    root=$(mktemp -d /tmp/authpp-pg.XXXXXX)
    data=$root/data
    [[ $(id -u) -eq 0 ]] && chown postgres: "$root"
    chmod 0700 "$root"
    echo "$data" >"$state/data_dir"
    as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C \
      >"$root/initdb.log" 2>&1 || {
      cat "$root/initdb.log" >&2
      exit 1
    }
    # The settings go into the configuration file, so that a plain `pg_ctl start` (a test that
    # restarts the server) brings it back the same. fsync off: a crash loses a throw-away cluster
    # anyway, and tests run several times faster.
    cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$root'
fsync = off
full_page_writes = off
synchronous_commit = off
max_connections = 200
CONF
    # A port taken between the pick and the bind fails the start: pick again (the last `port`
    # line wins).
    for _ in 1 2 3 4 5 6 7 8; do
      port=$((20000 + RANDOM % 40000))
      echo "port = $port" >>"$data/postgresql.conf"
      if as_owner "$bin/pg_ctl" -D "$data" -l "$root/server.log" -w -t 60 start >/dev/null 2>&1; then
        url="postgresql://postgres@127.0.0.1:$port/postgres"
        echo "$url" >"$state/url"
        echo "$url"
        exit 0
      fi
    done
    cat "$root/server.log" >&2
    echo "$0: PostgreSQL did not start (see the log above)" >&2
    stop
    exit 1
    ;;
  stop) stop ;;
  stop-server)
    as_owner "$bin/pg_ctl" -D "$(cat "$state/data_dir")" -m fast -w stop >/dev/null
    ;;
  start-server)
    data=$(cat "$state/data_dir")
    as_owner "$bin/pg_ctl" -D "$data" -l "$(dirname "$data")/server.log" -w -t 60 start >/dev/null
    ;;
  *) usage ;;
esac
