#!/usr/bin/env bash
# `make loadtest`: what production runs, measured. The Procfile's web line (its gunicorn part) and
# worker line (celery with beat) on PostgreSQL + Redis with production settings, driven by wrk
# (2 threads, LOADTEST_CONNECTIONS connections, LOADTEST_SECONDS each) through four scenarios:
# the product list, a cached report, a flash sale (100 customers, one hot product) and a wave of
# payments (staff marks pending orders paid). Per scenario: requests/s, p50/p95/p99, non-2xx and
# the CPU ms per request of web, worker and PostgreSQL (/proc utime+stime over the window, the
# worker's queue drained). Then the checks: stock = ledger, rollups = ledger, no connection idle
# in a transaction, every flash-sale order's confirmation e-mail marked sent within a minute.
set -euo pipefail
cd "$(dirname "$0")/../.."

BIN=${BIN:-.venv/bin}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
PORT=${LOADTEST_PORT:-8077}
SECONDS_EACH=${LOADTEST_SECONDS:-10}
CONNECTIONS=${LOADTEST_CONNECTIONS:-10}
DB_NAME=${LOADTEST_DB:-salesbackend_loadtest}
PG=${LOADTEST_PG:-postgres://postgres@127.0.0.1:5432}
PAYMENTS_MIN=${LOADTEST_PAYMENTS:-2000}
export LOADTEST_PG=$PG

command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }; }

export LOADTEST_DIR=/tmp/loadtest-$PORT
rm -rf "$LOADTEST_DIR" && mkdir -p "$LOADTEST_DIR"
export DATABASE_URL="$PG/$DB_NAME"
export REDIS_URL=${LOADTEST_REDIS:-redis://127.0.0.1:6379/8}
export CELERY_BROKER_URL=$REDIS_URL CELERY_TASK_ALWAYS_EAGER=0
export DJANGO_DEBUG=0
DJANGO_SECRET_KEY="loadtest-$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
export DJANGO_SECRET_KEY
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_SECURE_SSL_REDIRECT=0
LOADTEST_PASSWORD="Load-Test-$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
export LOADTEST_PASSWORD
export PORT HOST=127.0.0.1
# Thousands of unpaid orders here: the pending-order cap would refuse them, the expiry cancel them.
export ORDER_MAX_PENDING_PER_CUSTOMER=0 ORDER_PENDING_MINUTES=0
# The seeds' own tasks (confirmations of orders that are not part of a scenario) go nowhere.
seed_env=(env CELERY_BROKER_URL=memory:// CELERY_TASK_ALWAYS_EAGER=0)

json() { "$BIN/python" -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME"
redis-cli -u "$REDIS_URL" flushdb >/dev/null
"$BIN/python" manage.py migrate --noinput >/dev/null
seed=$("${seed_env[@]}" "$BIN/python" scripts/loadtest/seed.py | tail -n 1)
export LOADTEST_PRODUCT LOADTEST_HOT_PRODUCT LOADTEST_STAFF_TOKEN
LOADTEST_PRODUCT=$(json "$seed" product)
LOADTEST_HOT_PRODUCT=$(json "$seed" hot_product)
category=$(json "$seed" category)
customer=$(json "$seed" customer_token)
ceo=$(json "$seed" ceo_token)
LOADTEST_STAFF_TOKEN=$ceo

# The Procfile's lines as a deployment runs them: web without its collectstatic/migrate steps
# (migrate is done above), worker as it is.
web=${LOADTEST_WEB:-$(sed -n 's/^web: *//p' Procfile | sed 's/.*&& *//; s/^exec //')}
worker=${LOADTEST_WORKER:-$(sed -n 's/^worker: *//p' Procfile | sed 's/^exec //')}
if [ -z "$web" ] || [ -z "$worker" ]; then echo "FAIL: no web or worker line in the Procfile" >&2; exit 1; fi
server='' celery=''
stop() {
  for pid in $server $celery; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in $server $celery; do wait "$pid" 2>/dev/null || true; done
  server='' celery=''
}
trap stop EXIT
trap 'exit 130' INT TERM
PATH="$BIN:$PATH" sh -c "exec $web" >"$LOADTEST_DIR/web.log" 2>&1 &
server=$!
PATH="$BIN:$PATH" sh -c "exec $worker" >"$LOADTEST_DIR/worker.log" 2>&1 &
celery=$!
base="http://127.0.0.1:$PORT"
up=''
for _ in $(seq 120); do
  kill -0 "$server" 2>/dev/null || break
  curl -fsS "$base/healthz" >/dev/null 2>&1 && { up=1; break; }
  sleep 0.5
done
[ -n "$up" ] || { echo "FAIL: the web server did not come up on $base; its log:" >&2; tail -n 30 "$LOADTEST_DIR/web.log" >&2; exit 1; }
up=''
for _ in $(seq 120); do
  kill -0 "$celery" 2>/dev/null || break
  grep -q ' ready\.' "$LOADTEST_DIR/worker.log" && { up=1; break; }
  sleep 0.5
done
[ -n "$up" ] || { echo "FAIL: the celery worker did not come up; its log:" >&2; tail -n 30 "$LOADTEST_DIR/worker.log" >&2; exit 1; }

top="$base/api/v1/analytics/top-products/?limit=10"
curl -fsS -o /dev/null -H "Authorization: Bearer $ceo" "$top"  # fill the cache

drain() {  # wait (at most a minute) until the worker has taken and finished every queued task
  for _ in $(seq 120); do
    [ "$(redis-cli -u "$REDIS_URL" llen celery)" = 0 ] && [ "$(redis-cli -u "$REDIS_URL" hlen unacked)" = 0 ] && return
    sleep 0.5
  done
}
rows=()
run() {  # name, token, url, [script]
  local out requests
  drain
  "$BIN/python" scripts/loadtest/cpu.py snap "$server" "$celery" "$DB_NAME" >"$LOADTEST_DIR/before.json"
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --latency -s "${4:-scripts/loadtest/report.lua}" \
    ${2:+-H "Authorization: Bearer $2"} "$3" | grep '^RESULT') || { echo "FAIL: wrk on $1" >&2; exit 1; }
  drain  # the worker's share of the scenario (confirmation e-mails) counts too
  "$BIN/python" scripts/loadtest/cpu.py snap "$server" "$celery" "$DB_NAME" >"$LOADTEST_DIR/after.json"
  requests=${out##* requests=}
  requests=${requests%% *}
  rows+=("$1|${out#RESULT }|$("$BIN/python" scripts/loadtest/cpu.py delta "$LOADTEST_DIR/before.json" "$LOADTEST_DIR/after.json" "$requests")")
  echo "done: $1 ($requests requests)"
}
echo "== wrk: 2 threads, $CONNECTIONS connections, ${SECONDS_EACH}s per scenario, WEB_CONCURRENCY=${WEB_CONCURRENCY:-default}"
run "product list (60, customer)" "$customer" "$base/api/v1/products/?category=$category&page_size=60"
run "top-products cached (ceo)" "$ceo" "$top"
run "flash sale (100 customers)" "" "$base/api/v1/orders/" scripts/loadtest/flash.lua
# As many pending orders as the flash sale placed in the same time, twice over: the wave of
# payments should not run out of them (and at least LOADTEST_PAYMENTS).
flash_orders=$(psql -qtA "$DATABASE_URL" -c "SELECT count(*) FROM orders_order o WHERE EXISTS (
  SELECT 1 FROM orders_orderitem i WHERE i.order_id = o.id AND i.product_id = $LOADTEST_HOT_PRODUCT)")
pending=$(( flash_orders * 2 > PAYMENTS_MIN ? flash_orders * 2 : PAYMENTS_MIN ))
echo "seeding $pending pending orders"
"${seed_env[@]}" "$BIN/python" scripts/loadtest/seed.py pending "$pending" | tail -n 1 >/dev/null
run "payments (staff marks paid)" "" "$base/" scripts/loadtest/pay.lua

echo
echo "== $CONNECTIONS connections, ${SECONDS_EACH}s each; CPU in ms per request (web: gunicorn tree, worker: celery tree, pg: backends of $DB_NAME + background)"
{
  echo "scenario|rps|p50|p95|p99|requests|non2xx|sockerr|web|worker|pg"
  for row in "${rows[@]}"; do
    sed -E 's/rps=|p50=|p95=|p99=|requests=|non2xx=|socket_errors=|web=|worker=|pg=//g; s/ /|/g; s/\|([a-z(])/ \1/g' <<<"$row"
  done
} | column -t -s '|'

echo
echo "== after the run"
connections() {
  psql -qtA "$PG/postgres" -c "
    SELECT 'connections on $DB_NAME $1: ' || count(*) || ' (idle in transaction: '
           || count(*) FILTER (WHERE state LIKE 'idle in transaction%') || ')'
    FROM pg_stat_activity WHERE datname = '$DB_NAME'"
}
connections "with the servers up (their pools)"
paid=$(psql -qtA "$DATABASE_URL" -c "SELECT count(*) FROM orders_order WHERE status = 'paid' AND id IN ($(paste -sd, "$LOADTEST_DIR/pending-ids.txt"))")
echo "payments: $paid of $pending seeded pending orders are paid"
# Every flash-sale order's confirmation e-mail, marked sent within a minute of the order.
# Those still unsent get the rest of their minute (the worker drained above, so rarely needed).
confirm_sql="SELECT count(*) || ' ' || count(*) FILTER (WHERE o.confirmation_sent_at <= o.created_at + interval '1 minute')
  || ' ' || count(*) FILTER (WHERE o.confirmation_sent_at IS NULL)
  FROM orders_order o WHERE EXISTS (SELECT 1 FROM orders_orderitem i
    WHERE i.order_id = o.id AND i.product_id = $LOADTEST_HOT_PRODUCT)"
for _ in $(seq 60); do
  read -r total in_minute unsent <<<"$(psql -qtA "$DATABASE_URL" -c "$confirm_sql")"
  [ "$unsent" = 0 ] && break
  sleep 1
done
echo "flash-sale confirmations sent within a minute: $in_minute of $total (unsent: $unsent) $([ "$in_minute" = "$total" ] && echo OK || echo FAIL)"
stop
trap - EXIT
"$BIN/python" manage.py rebuild_sales_rollup --verify
psql -qtA "$DATABASE_URL" -c "
  SELECT 'stock equals its ledger: ' || bool_and(s.quantity = coalesce(m.total, 0))
  FROM inventory_stock s LEFT JOIN (
    SELECT product_id, sum(delta) AS total FROM inventory_stockmovement GROUP BY product_id) m
  USING (product_id)"
connections "after they stopped"
