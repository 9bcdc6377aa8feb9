#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL 15 cluster for the tests, listening only on a Unix
# socket inside DIR. `start` writes the connection URL to DIR/url. Fails loudly if it cannot.
set -euo pipefail
cmd=${1:?usage: pg.sh start|stop|crash|resume DIR}
dir=${2:?usage: pg.sh start|stop|crash|resume DIR}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -x "$bin/initdb" ] || { echo "pg.sh: PostgreSQL server binaries not found (apt-get install postgresql-15)" >&2; exit 1; }

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

server_start() {
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-k $dir -p $1 -c listen_addresses='' -c fsync=off -c max_connections=200" start >/dev/null ||
    { cat "$dir/server.log" >&2; echo "pg.sh: PostgreSQL did not start" >&2; exit 1; }
}

case "$cmd" in
  start)
    if [ -f "$dir/data/postmaster.pid" ]; then as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"; mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; echo "pg.sh: initdb failed" >&2; exit 1; }
    port=$((20000 + RANDOM % 20000))
    echo "$port" >"$dir/port"
    server_start "$port"
    as_pg "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -qc "create database ijro_test" 
    # A role that must give its password (SCRAM), for the tests of a store password kept out of
    # the URL (a database for each such test, as they may run at once); every other role is
    # trusted.
    as_pg "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -q \
      -c "create role ijro_pw login password 'store-password-for-tests'" \
      -c "create database ijro_pw_store owner ijro_pw" \
      -c "create database ijro_pw_cli owner ijro_pw"
    hba="$dir/data/pg_hba.conf"
    { echo "local all ijro_pw scram-sha-256"; cat "$hba"; } >"$hba.new" && mv "$hba.new" "$hba"
    [ "$(id -u)" = 0 ] && chown postgres: "$hba"
    as_pg "$bin/pg_ctl" -D "$dir/data" reload >/dev/null
    echo "postgresql://dbname=ijro_test host=$dir port=$port user=postgres" >"$dir/url"
    echo "PostgreSQL test cluster up: $(cat "$dir/url")"
    ;;
  crash)
    # The server goes away at once, as in a crash (the fault tests): its clients' connections
    # break mid-transaction. `resume` starts it again on the same port.
    as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
    ;;
  resume)
    server_start "$(cat "$dir/port")"
    ;;
  stop)
    [ -d "$dir/data" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -f "$dir/url"
    ;;
  *) echo "usage: pg.sh start|stop|crash|resume DIR" >&2; exit 2 ;;
esac
