#!/usr/bin/env bash
# `make loadtest-replica`: reports on a streaming replica while orders are placed on the primary,
# side by side with the replica off and on (issue 25).
#
# A streaming standby of the whole local cluster is started (scripts/replica_standby.sh, port
# REPLICA_PORT, 5433) and always stopped again on exit. Then, twice (REPLICA_DATABASE_URL unset,
# then set to the standby):
#   - a reports web (the Procfile's gunicorn line, production settings) serves the analytics API
#     of REPLICA_BENCH_DB (the million-line demo, read only) uncached (ANALYTICS_CACHE_SECONDS=0);
#     wrk asks it for ten of the answers the report pages are made of, round robin, with
#     REPLICA_BENCH_CONNECTIONS connections: first alone for REPLICA_BENCH_SECONDS, then for as
#     long as
#   - `make loadtest` (scripts/loadtest/run.sh, its own database LOADTEST_DB on the same primary,
#     its own web and worker) runs its scenarios: product list, cached report, flash sale (orders
#     placed), payments.
# Printed: the reports' rps and p50/p95 alone and during the load test, the load test's table
# (the flash sale's rps is the order rps), and the rows each server read for the reports'
# database (pg_stat_database on the primary and on the standby), which shows who answered.
set -euo pipefail
cd "$(dirname "$0")/../.."

BIN=${BIN:-.venv/bin}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
PG=${LOADTEST_PG:-postgres://postgres@127.0.0.1:5432}
REPLICA_PORT=${REPLICA_PORT:-5433}
REPLICA_PG=postgres://postgres@127.0.0.1:$REPLICA_PORT
DB=${REPLICA_BENCH_DB:-sb_bench}
PORT=${REPLICA_BENCH_PORT:-8078}
SECONDS_ALONE=${REPLICA_BENCH_SECONDS:-20}
CONNECTIONS=${REPLICA_BENCH_CONNECTIONS:-2}
OUT=/tmp/replica-bench-$PORT
export LOADTEST_PORT=${LOADTEST_PORT:-8077}
rm -rf "$OUT" && mkdir -p "$OUT"

command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }; }
lines=$(psql -qtA "$PG/$DB" -c "SELECT count(*) FROM orders_salesrecord") || {
  echo "FAIL: no database $DB with a sales ledger; seed the million-line demo into it (README, Performance)" >&2
  exit 1
}

# The reports web: production settings on the demo database, nothing cached, a cache prefix of
# its own in the load test's Redis database (whose flushdb at the start costs it nothing).
export DATABASE_URL="$PG/$DB" REDIS_URL=${LOADTEST_REDIS:-redis://127.0.0.1:6379/8}
export DJANGO_CACHE_PREFIX=replica-bench ANALYTICS_CACHE_SECONDS=0
export DJANGO_DEBUG=0 DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost DJANGO_SECURE_SSL_REDIRECT=0
DJANGO_SECRET_KEY="replica-bench-$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
export DJANGO_SECRET_KEY
web_line=$(sed -n 's/^web: *//p' Procfile | sed 's/.*&& *//; s/^exec //')
# A staff token minted offline (signing in would write to the demo database).
token=$(env CELERY_BROKER_URL=memory:// "$BIN/python" manage.py shell -c "
from rest_framework_simplejwt.tokens import AccessToken
from accounts.selectors import users_with_permission
print(AccessToken.for_user(users_with_permission('analytics.view_sales_reports').order_by('id').first()))" | tail -n 1)

server='' standby='' reports=''
stop_web() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  server=''
}
cleanup() {
  if [ -n "$reports" ]; then kill -INT "$reports" 2>/dev/null || true; wait "$reports" 2>/dev/null || true; fi
  stop_web
  if [ -n "$standby" ]; then bash scripts/replica_standby.sh stop; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

standby=1
bash scripts/replica_standby.sh start
for _ in $(seq 60); do
  psql -qtA "$REPLICA_PG/$DB" -c "SELECT 1" >/dev/null 2>&1 && break
  sleep 1
done

rows_read() {  # rows read for the reports' database on a server: returned + fetched
  psql -qtA "$1/$DB" -c "SELECT tup_returned + tup_fetched FROM pg_stat_database WHERE datname = '$DB'"
}
start_web() {  # mode: off | on
  local replica=''
  [ "$1" = on ] && replica="$REPLICA_PG/$DB"
  REPLICA_DATABASE_URL=$replica HOST=127.0.0.1 PORT=$PORT WEB_CONCURRENCY=${REPLICA_BENCH_WORKERS:-2} \
    CELERY_BROKER_URL=memory:// PATH="$BIN:$PATH" sh -c "exec $web_line" >"$OUT/web-$1.log" 2>&1 &
  server=$!
  for _ in $(seq 120); do
    curl -fsS "http://127.0.0.1:$PORT/healthz" >"$OUT/healthz-$1.json" 2>/dev/null && return
    kill -0 "$server" 2>/dev/null || break
    sleep 0.5
  done
  echo "FAIL: the reports web did not come up; its log:" >&2
  tail -n 30 "$OUT/web-$1.log" >&2
  exit 1
}
reports_wrk() {  # seconds: wrk on the reports web, its RESULT line on stdout
  wrk -t1 -c"$CONNECTIONS" -d"$1s" --latency -s scripts/loadtest/reports.lua \
    -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/" | grep '^RESULT'
}

results=()
for mode in off on; do
  echo "== replica $mode"
  start_web "$mode"
  echo "healthz: $(cat "$OUT/healthz-$mode.json")"
  reports_wrk 5 >/dev/null  # warm the processes and the servers' caches
  primary_before=$(rows_read "$PG") standby_before=$(rows_read "$REPLICA_PG")
  alone=$(reports_wrk "$SECONDS_ALONE")
  # During the load test: wrk runs until interrupted, then prints its summary.
  wrk -t1 -c"$CONNECTIONS" -d3600s --latency -s scripts/loadtest/reports.lua \
    -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/" >"$OUT/reports-during-$mode.txt" &
  reports=$!
  # run.sh sets its own DATABASE_URL, REDIS_URL and Django settings; the reports' are not its.
  env -u REPLICA_DATABASE_URL -u DJANGO_CACHE_PREFIX -u ANALYTICS_CACHE_SECONDS BIN="$BIN" \
    bash scripts/loadtest/run.sh >"$OUT/loadtest-$mode.log" 2>&1 || {
    echo "FAIL: make loadtest (replica $mode); its log:" >&2
    tail -n 30 "$OUT/loadtest-$mode.log" >&2
    exit 1
  }
  kill -INT "$reports" && wait "$reports" || true
  reports=''
  during=$(grep '^RESULT' "$OUT/reports-during-$mode.txt")
  primary_read=$(( $(rows_read "$PG") - primary_before ))
  standby_read=$(( $(rows_read "$REPLICA_PG") - standby_before ))
  stop_web
  results+=("replica $mode: alone ${alone#RESULT } $primary_read $standby_read")
  results+=("replica $mode: during make loadtest ${during#RESULT } - -")
  echo "-- make loadtest (replica $mode):"
  sed -n '/^== .* connections/,/^$/p' "$OUT/loadtest-$mode.log"
  grep -E '^(payments:|flash-sale|stock equals|connections on .* after)' "$OUT/loadtest-$mode.log" || true
done

echo
echo "== reports of $DB ($lines ledger lines), $CONNECTIONS connections, uncached; rows read for $DB"
echo "   over both phases: on the primary / on the standby"
{
  echo "reports|rps|p50|p95|p99|requests|non2xx|sockerr|rows read: primary|standby"
  for row in "${results[@]}"; do
    sed -E 's/rps=|p50=|p95=|p99=|requests=|non2xx=|socket_errors=//g; s/ /|/g; s/\|([a-z(])/ \1/g' <<<"$row"
  done
} | column -t -s '|'
echo "logs: $OUT"
