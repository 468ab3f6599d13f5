#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks: never for data you want to keep.
#
#   scripts/pg-test-cluster.sh start DIR   # initdb + pg_ctl start in DIR; prints the connection URL
#   scripts/pg-test-cluster.sh stop DIR    # stop the cluster and remove DIR
#
# The server listens on a unix socket in DIR only (no TCP port to collide with), runs without fsync
# (a test cluster is rebuilt, not recovered) and, when started by root, as the unprivileged user
# `postgres` (initdb refuses root).  Server binaries come from Debian's packages (/usr/lib/postgresql/*/bin)
# or PG_BIN.
set -euo pipefail

cmd=${1:?usage: $0 start|stop DIR}
dir=${2:?usage: $0 start|stop DIR}

bin=${PG_BIN:-}
if [[ -z "$bin" ]]; then
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
    echo "pg-test-cluster: no PostgreSQL server binaries (apt-get install postgresql, or set PG_BIN)" >&2
    exit 2
fi

as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "$cmd" in
start)
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U riverbed -A trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
        -o "-c listen_addresses='' -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgresql://riverbed@/postgres?host=$dir"
    ;;
stop)
    if [[ -d "$dir/data" ]]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
