#!/usr/bin/env bash
# `make loadtest`: the app on PostgreSQL + Redis with production settings, served exactly as the
# Procfile's web line serves it, driven by wrk (10 connections, 2 threads, LOADTEST_SECONDS each).
# Prints requests/s and p50/p95/p99 per scenario, then checks stock and ledgers and the
# connections left behind.
set -euo pipefail
cd "$(dirname "$0")/../.."

BIN=${BIN:-.venv/bin}
PORT=${LOADTEST_PORT:-8077}
SECONDS_EACH=${LOADTEST_SECONDS:-10}
CONNECTIONS=${LOADTEST_CONNECTIONS:-10}
DB_NAME=${LOADTEST_DB:-salesbackend_loadtest}
PG=${LOADTEST_PG:-postgres://postgres@127.0.0.1:5432}

command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }; }

export DATABASE_URL="$PG/$DB_NAME"
export REDIS_URL=${LOADTEST_REDIS:-redis://127.0.0.1:6379/8}
export DJANGO_DEBUG=0
export DJANGO_SECRET_KEY="loadtest-$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_SECURE_SSL_REDIRECT=0
export LOADTEST_PASSWORD="Load-Test-$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
export PORT HOST=127.0.0.1
# One customer places thousands of unpaid orders here: the pending-order cap would refuse them.
export ORDER_MAX_PENDING_PER_CUSTOMER=0 ORDER_PENDING_MINUTES=0

psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME"
redis-cli -u "$REDIS_URL" flushdb >/dev/null
$BIN/python manage.py migrate --noinput >/dev/null
seed=$($BIN/python scripts/loadtest/seed.py | tail -n 1)
export LOADTEST_PRODUCT=$($BIN/python -c "import json,sys; print(json.loads(sys.argv[1])['product'])" "$seed")
category=$($BIN/python -c "import json,sys; print(json.loads(sys.argv[1])['category'])" "$seed")

# The web line of the Procfile, as a deployment runs it (without its migrate step, done above).
web=${LOADTEST_WEB:-$(sed -n 's/^web: *//p' Procfile | sed 's/.*&& *//; s/^exec //')}
PATH="$PWD/$BIN:$PATH" sh -c "exec $web" >/tmp/loadtest-web.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 60); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.5; done

token() {
  curl -fsS -H 'Content-Type: application/json' \
    -d "{\"username\": \"$1\", \"password\": \"$LOADTEST_PASSWORD\"}" \
    "http://127.0.0.1:$PORT/api/v1/auth/login/" | $BIN/python -c "import json,sys; print(json.load(sys.stdin)['access'])"
}
customer=$(token lt-customer)
ceo=$(token lt-ceo)
base="http://127.0.0.1:$PORT"
top="$base/api/v1/analytics/top-products/?limit=10"
curl -fsS -o /dev/null -H "Authorization: Bearer $ceo" "$top"  # fill the cache

run() {  # name, token, url, [script]
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --latency -s "${4:-scripts/loadtest/report.lua}" \
    ${2:+-H "Authorization: Bearer $2"} "$3" | grep '^RESULT')
  printf '%-28s %s\n' "$1" "${out#RESULT }"
}
echo "== wrk: 2 threads, $CONNECTIONS connections, ${SECONDS_EACH}s per scenario, WEB_CONCURRENCY=${WEB_CONCURRENCY:-default}"
run "healthz" "" "$base/healthz"
run "product list (60, customer)" "$customer" "$base/api/v1/products/?category=$category&page_size=60"
run "place order (customer)" "$customer" "$base/api/v1/orders/" scripts/loadtest/order.lua
run "top-products cached (ceo)" "$ceo" "$top"

echo "== after the run"
connections() {
  psql -qtA "$PG/postgres" -c "
    SELECT 'connections on $DB_NAME $1: ' || count(*) || ' (idle in transaction: '
           || count(*) FILTER (WHERE state LIKE 'idle in transaction%') || ')'
    FROM pg_stat_activity WHERE datname = '$DB_NAME'"
}
connections "with the server up (its pools)"
kill $server; wait $server 2>/dev/null || true
trap - EXIT
$BIN/python manage.py rebuild_sales_rollup --verify
psql -qtA "$DATABASE_URL" -c "
  SELECT 'stock equals its ledger: ' || bool_and(s.quantity = coalesce(m.total, 0))
  FROM inventory_stock s LEFT JOIN (
    SELECT product_id, sum(delta) AS total FROM inventory_stockmovement GROUP BY product_id) m
  USING (product_id)"
connections "after it stopped"
