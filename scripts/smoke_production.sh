#!/usr/bin/env bash
# The production install, end to end: a virtualenv from requirements.txt ONLY (no dev packages),
# `check --deploy` with production settings, the Procfile's web and worker lines on PostgreSQL +
# Redis, one order placed over HTTP, and its confirmation e-mail sent by the worker.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
VENV=.venv-prod
PORT=${SMOKE_PORT:-8095}
PG=${SMOKE_PG:-postgres://postgres@127.0.0.1:5432}
DB_NAME=salesbackend_smoke
WORK=$(mktemp -d)

# A virtualenv with the runtime requirements only, rebuilt when they change.
hash=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$VENV/.requirements-hash" 2>/dev/null)" != "$hash" ]; then
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --upgrade pip
  "$VENV/bin/pip" install --quiet -r requirements.txt
  echo "$hash" > "$VENV/.requirements-hash"
fi
if "$VENV/bin/python" -c "import pytest" 2>/dev/null; then
  echo "FAIL: a dev package (pytest) is in the production virtualenv"; exit 1
fi

export PATH="$PWD/$VENV/bin:$PATH"
export DJANGO_DEBUG=0
# As deployed: behind a TLS proxy that says so (the smoke test itself talks plain HTTP, below).
export DJANGO_TRUST_X_FORWARDED_PROTO=1
export DJANGO_SECRET_KEY="smoke-$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DATABASE_URL="$PG/$DB_NAME"
export REDIS_URL=${SMOKE_REDIS:-redis://127.0.0.1:6379/9}
export DJANGO_EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
export DJANGO_EMAIL_FILE_PATH="$WORK/mail"
export PORT WEB_CONCURRENCY=2

psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME"
redis-cli -u "$REDIS_URL" flushdb >/dev/null

echo "== check --deploy (production settings, runtime packages only)"
python manage.py check --deploy --fail-level WARNING
# No TLS proxy in front here: plain HTTP on loopback.
export DJANGO_SECURE_SSL_REDIRECT=0

pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap stop EXIT
for process in web worker; do
  line=$(sed -n "s/^$process: *//p" Procfile)
  [ -n "$line" ] || { echo "FAIL: no $process line in the Procfile"; exit 1; }
  echo "== $process: $line"
  sh -c "$line" >"$WORK/$process.log" 2>&1 &
  pids+=($!)
done
for _ in $(seq 60); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 1; done
curl -fsS "http://127.0.0.1:$PORT/healthz" || { echo "FAIL: web did not come up"; cat "$WORK/web.log"; exit 1; }
echo

# Nothing like the usernames: Django refuses a password too similar to one (random tails made it flaky).
password="Quartz-$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
DJANGO_USER_PASSWORD=$password python manage.py createuser --role ceo --username smoke-ceo --email ceo@smoke.test
DJANGO_USER_PASSWORD=$password python manage.py createuser --role customer --username smoke-customer \
  --email customer@smoke.test

api() {  # method, path, token, body -> response body; fails on an unexpected status
  local status
  status=$(curl -sS -o "$WORK/body" -w '%{http_code}' -X "$1" -H 'Content-Type: application/json' \
    ${3:+-H "Authorization: Bearer $3"} ${4:+-d "$4"} "http://127.0.0.1:$PORT/api/v1/$2")
  case "$status" in 2*) cat "$WORK/body" ;; *) echo "FAIL: $1 $2 -> $status $(cat "$WORK/body")" >&2; return 1 ;; esac
}
field() { python -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }

ceo=$(api POST auth/login/ "" "{\"username\": \"smoke-ceo\", \"password\": \"$password\"}" | field access)
customer=$(api POST auth/login/ "" "{\"username\": \"smoke-customer\", \"password\": \"$password\"}" | field access)
api POST categories/ "$ceo" '{"name": "Smoke", "slug": "smoke"}' >/dev/null
product=$(api POST products/ "$ceo" '{"sku": "SMOKE-1", "name": "Smoke test", "price": "12.50",
  "cost_price": "5.00", "category": "smoke", "stock": 3}' | field id)
number=$(api POST orders/ "$customer" "{\"items\": [{\"product\": $product, \"quantity\": 1}],
  \"shipping_address\": {\"name\": \"Smoke\", \"line1\": \"1 Test St\", \"city\": \"Paris\",
  \"postal_code\": \"75001\", \"country\": \"FR\"}}" | field number)
echo "== order $number placed; waiting for the worker's confirmation e-mail"

for _ in $(seq 60); do
  grep -qs "Order $number confirmed" "$WORK"/mail/* && break
  sleep 1
done
if ! grep -qs "Order $number confirmed" "$WORK"/mail/*; then
  echo "FAIL: no confirmation e-mail for $number"; echo "-- worker log"; tail -40 "$WORK/worker.log"; exit 1
fi
grep -q "send_order_confirmation.*succeeded" "$WORK/worker.log" || { echo "FAIL: the worker did not run the task"; exit 1; }
echo "OK: the worker sent the confirmation of $number"
# The periodic work the beat schedule names must be registered in a production worker too.
for task in orders.jobs.expire_pending_orders analytics.tasks.send_due_reports orders.tasks.send_missed_confirmations; do
  grep -q "$task" "$WORK/worker.log" || { echo "FAIL: the worker does not know $task"; exit 1; }
done
echo "OK: the worker knows the beat schedule's tasks"
