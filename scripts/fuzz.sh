#!/usr/bin/env bash
# `make fuzz`: schemathesis against the app on PostgreSQL + Redis with production settings,
# served as the Procfile's web line serves it, authenticated as a CEO: every phase (examples,
# coverage, fuzzing, stateful), a fixed seed and a time budget. Fails on any 5xx and on any
# response the schema does not document. First, deeply nested JSON bodies to a few endpoints
# (scripts/fuzz_nested.py, a few seconds outside schemathesis' budget): any 5xx fails.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.venv/bin}
PORT=${FUZZ_PORT:-8097}
DB_NAME=salesbackend_fuzz
PG=${FUZZ_PG:-postgres://postgres@127.0.0.1:5432}
SECONDS_BUDGET=${FUZZ_SECONDS:-180}
# No 5xx, and every response as the schema documents it: status, body, content type, headers.
CHECKS=${FUZZ_CHECKS:-not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance,response_headers_conformance}

export DATABASE_URL="$PG/$DB_NAME"
export REDIS_URL=${FUZZ_REDIS:-redis://127.0.0.1:6379/10}
export DJANGO_DEBUG=0 DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_SECRET_KEY="fuzz-$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
export LOADTEST_PASSWORD="Fuzz-$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
# The load test's seed also writes its flash-sale tokens somewhere; the fuzzer does not read them.
export LOADTEST_DIR=/tmp/fuzz-$PORT
# Generous sign-in budgets: the fuzzer logs in far more often than a person.
export LOGIN_THROTTLE_PER_NAME=10000/min LOGIN_THROTTLE_PER_IP=10000/min
export PORT HOST=127.0.0.1 WEB_CONCURRENCY=2

psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME"
redis-cli -u "$REDIS_URL" flushdb >/dev/null
$BIN/python manage.py migrate --noinput >/dev/null
rm -rf "$LOADTEST_DIR" && mkdir -p "$LOADTEST_DIR"
$BIN/python scripts/loadtest/seed.py >/dev/null  # a CEO, a customer, products with stock, paid orders

web=$(sed -n 's/^web: *//p' Procfile | sed 's/.*&& *//; s/^exec //')
PATH="$PWD/$BIN:$PATH" sh -c "exec $web" >/tmp/fuzz-web.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
for _ in $(seq 60); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.5; done

token=$(curl -fsS -H 'Content-Type: application/json' \
  -d "{\"username\": \"lt-ceo\", \"password\": \"$LOADTEST_PASSWORD\"}" \
  "http://127.0.0.1:$PORT/api/v1/auth/login/" | $BIN/python -c "import json,sys; print(json.load(sys.stdin)['access'])")

echo "== deeply nested JSON bodies (schemathesis never nests that deep)"
$BIN/python scripts/fuzz_nested.py "http://127.0.0.1:$PORT" "$token"

echo "== schemathesis: all phases, seed 2026, ${SECONDS_BUDGET}s, checks: $CHECKS"
# Logging out, closing the account or changing the password would end the fuzzer's own session.
set +e
$BIN/st run "http://127.0.0.1:$PORT/api/schema/" \
  --header "Authorization: Bearer $token" \
  --phases examples,coverage,fuzzing,stateful \
  --checks "$CHECKS" \
  --seed 2026 --generation-deterministic \
  --max-time "$SECONDS_BUDGET" --max-examples "${FUZZ_EXAMPLES:-30}" \
  --exclude-path /api/v1/auth/logout/ --exclude-path /api/v1/users/me/ \
  --workers 2 --request-timeout 20 --suppress-health-check all \
  --report junit --report-dir artifacts/fuzz | tee /tmp/fuzz-output.log
status=${PIPESTATUS[0]}
set -e
# What fails the run is a check that failed (any 5xx, with the default checks). A crash inside
# schemathesis or hypothesis while generating cases ("Runtime Error") is the tool's, not the
# API's: it is reported above and the run goes on to count.
if grep -qE "^  ❌ ST[0-9]+" /tmp/fuzz-output.log; then
  echo "FAIL: schemathesis found failures (see above)"
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "note: schemathesis exited $status without a failed check (a tool error, reported above)"
fi
