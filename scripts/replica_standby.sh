#!/usr/bin/env bash
# A streaming standby of the local PostgreSQL (127.0.0.1:5432) for the replica tests:
#   scripts/replica_standby.sh start   # pg_basebackup -R -X stream onto REPLICA_PORT (5433)
#   scripts/replica_standby.sh stop    # stop it and remove its data directory
# The primary must accept replication connections from 127.0.0.1: a missing pg_hba.conf line
# is added (trust, as the machine's other local connections) and the configuration reloaded.
set -euo pipefail
PORT=${REPLICA_PORT:-5433}
DIR=${REPLICA_DIR:-/tmp/salesbackend-standby}
PRIMARY=${REPLICA_PRIMARY:-postgres://postgres@127.0.0.1:5432/postgres}
BIN=/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -V | tail -n 1)/bin
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

stop() {
  if [ -f "$DIR/postmaster.pid" ]; then as_postgres "$BIN/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null || true; fi
  rm -rf "$DIR"
}

case ${1:-} in
  start)
    hba=$(psql -Atq "$PRIMARY" -c "SHOW hba_file")
    if ! grep -Eq '^host[[:space:]]+replication' "$hba"; then
      echo "host replication all 127.0.0.1/32 trust" >>"$hba"
      psql -Atq "$PRIMARY" -c "SELECT pg_reload_conf()" >/dev/null
    fi
    stop
    mkdir -p "$DIR" && chown postgres "$DIR" 2>/dev/null || true
    chmod 700 "$DIR"
    as_postgres "$BIN/pg_basebackup" -d "${PRIMARY%/*}/postgres" -D "$DIR" -R -X stream -c fast
    # Debian keeps the configuration outside the data directory: the copy brings none.
    cat >"$DIR/postgresql.conf" <<CONF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '/tmp'
hot_standby = on
max_standby_streaming_delay = 5s
CONF
    printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"$DIR/pg_hba.conf"
    chown postgres "$DIR/postgresql.conf" "$DIR/pg_hba.conf" 2>/dev/null || true
    as_postgres "$BIN/pg_ctl" -D "$DIR" -l "$DIR/standby.log" -w start >/dev/null
    for _ in $(seq 30); do
      [ "$(psql -Atq "postgres://postgres@127.0.0.1:$PORT/postgres" -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ] && break
      sleep 0.5
    done
    echo "standby on 127.0.0.1:$PORT (replaying from the primary)"
    ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
