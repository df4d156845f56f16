#!/usr/bin/env bash
# `make dblimit`: the database's own limit for order placement. pgbench replays the SQL of one
# order (scripts/loadtest/order.sql) with 10 clients for LOADTEST_SECONDS, all on one product,
# once over kept connections (as the pool gives them) and once reconnecting for every order
# (as Django without a pool did). No Python in the loop: what the app can approach, not beat.
set -euo pipefail
cd "$(dirname "$0")/../.."

BIN=${BIN:-.venv/bin}
SECONDS_EACH=${LOADTEST_SECONDS:-10}
DB_NAME=${LOADTEST_DB:-salesbackend_dblimit}
PG=${LOADTEST_PG:-postgres://postgres@127.0.0.1:5432}

export DATABASE_URL="$PG/$DB_NAME" DJANGO_DEBUG=0 DJANGO_SECURE_SSL_REDIRECT=0
export DJANGO_SECRET_KEY="dblimit-$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
export LOADTEST_PASSWORD="Load-Test-$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
unset REDIS_URL

psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME"
$BIN/python manage.py migrate --noinput >/dev/null
seed=$($BIN/python scripts/loadtest/seed.py | tail -n 1)
product=$($BIN/python -c "import json,sys; print(json.loads(sys.argv[1])['product'])" "$seed")
customer=$(psql -qtA "$DATABASE_URL" -c "SELECT id FROM accounts_user WHERE username = 'lt-customer'")
channel=$(psql -qtA "$DATABASE_URL" -c "SELECT id FROM catalog_saleschannel WHERE code = 'web'")

bench() {  # label, extra pgbench flags
  local tps
  tps=$(pgbench -n -c 10 -j 2 -T "$SECONDS_EACH" $2 -f scripts/loadtest/order.sql \
    -D product="$product" -D customer="$customer" -D channel="$channel" "$DATABASE_URL" 2>&1 |
    sed -n 's/^tps = \([0-9.]*\).*/\1/p')
  printf '%-44s %s orders/s\n' "$1" "$tps"
}
echo "== pgbench: one order placement's SQL, 10 clients, ${SECONDS_EACH}s each, one product"
bench "kept connections (as from the pool)" ""
bench "a new connection for every order" "-C"
psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)"
