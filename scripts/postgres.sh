#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests, on a free loopback port.
#
#   eval "$(scripts/postgres.sh start)"   installs Debian's postgresql if missing, runs initdb and
#                                         pg_ctl as the postgres user in a temporary folder that user
#                                         owns, and prints the exports PRIVOMEGA_POSTGRES (an Npgsql
#                                         connection string) and PRIVOMEGA_POSTGRES_DIR
#   scripts/postgres.sh stop [DIR]        stops that cluster and deletes its folder (DIR defaults to
#                                         $PRIVOMEGA_POSTGRES_DIR)
#
# initdb and pg_ctl refuse to run as root, and CI runs as root: they run through runuser. Progress
# goes to stderr so stdout stays the exports. The password is random per cluster (scram-sha-256), the
# server listens on 127.0.0.1 only and its Unix socket lives in the cluster's own folder.
set -euo pipefail

bin=/usr/lib/postgresql/15/bin

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  elif [ "$(id -un)" = postgres ]; then
    "$@"
  else
    echo "postgres.sh: run as root (or as the postgres user)" >&2
    exit 1
  fi
}

install_postgres() {
  [ -x "$bin/initdb" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "postgres.sh: $bin/initdb is missing; install the Debian package postgresql-15 (as root)" >&2
    exit 1
  fi
  echo "postgres.sh: installing postgresql-15 through apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # The package's post-install script would create and start a system cluster on port 5432; the
  # policy-rc.d refusal keeps it from starting anything.
  local own_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=1
  fi
  local rc=0
  apt-get install -y -qq --no-install-recommends postgresql-15 >&2 || rc=$?
  [ "$own_policy" -eq 1 ] && rm -f /usr/sbin/policy-rc.d
  [ "$rc" -eq 0 ] || exit 1
}

port_in_use() {
  ss -ltnH "sport = :$1" 2>/dev/null | grep -q .
}

start() {
  install_postgres
  local dir password port attempt
  dir=$(mktemp -d /tmp/privomega-postgres.XXXXXX)
  chown postgres: "$dir"
  chmod 700 "$dir"
  password=$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')
  printf '%s\n' "$password" > "$dir/pwfile"
  chown postgres: "$dir/pwfile"
  as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=scram-sha-256 --pwfile="$dir/pwfile" \
    -E UTF8 --locale=C.UTF-8 > "$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  rm -f "$dir/pwfile"
  # fsync stays on: the durability tests kill clients, not this server, but the store must behave
  # like a real one.
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    port_in_use "$port" && continue
    if as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=200" > /dev/null 2>&1; then
      echo "postgres.sh: PostgreSQL 15 on 127.0.0.1:$port ($dir)" >&2
      echo "export PRIVOMEGA_POSTGRES='Host=127.0.0.1;Port=$port;Username=postgres;Password=$password;Database=postgres'"
      echo "export PRIVOMEGA_POSTGRES_DIR='$dir'"
      return 0
    fi
  done
  echo "postgres.sh: PostgreSQL did not start; last log:" >&2
  tail -n 20 "$dir/server.log" >&2 || true
  rm -rf "$dir"
  exit 1
}

stop() {
  local dir=${1:-${PRIVOMEGA_POSTGRES_DIR:-}}
  if [ -z "$dir" ] || [ ! -d "$dir/data" ]; then
    echo "postgres.sh: no cluster folder to stop (give one, or set PRIVOMEGA_POSTGRES_DIR)" >&2
    exit 1
  fi
  case "$dir" in /tmp/privomega-postgres.*) ;; *) echo "postgres.sh: refusing to delete $dir" >&2; exit 1 ;; esac
  as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w stop > /dev/null 2>&1 || true
  rm -rf "$dir"
  echo "postgres.sh: stopped and removed $dir" >&2
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: scripts/postgres.sh start|stop [DIR]" >&2; exit 2 ;;
esac
