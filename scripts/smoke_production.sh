#!/usr/bin/env bash
# The production deployment, end to end, exactly as a platform runs the Procfile:
#   - a clean clone of this repository's HEAD (nothing git ignores: no staticfiles/, no .venv, no .env),
#   - a fresh virtualenv with `pip install -r requirements.txt` only (no dev packages),
#   - the environment a deployment sets and nothing else (env -i): DJANGO_DEBUG=0 behind a TLS proxy,
#   - the Procfile's web and worker lines run with `bash -c` in the clone.
# The script itself runs nothing the Procfile does not (no collectstatic, no migrate): what the web
# line leaves out is missing here as in production. Then, as a browser behind the proxy
# (scripts/smoke_http.py): /admin/login/, /api/docs/ and /api/redoc/, /reports/ and /admin/ signed in
# through the admin's login form, each with every stylesheet, script and icon it names; one order
# placed over the API and its confirmation e-mail sent by the worker over SMTP (EMAIL_URL) to a local
# catcher (scripts/smtp_catcher.py, aiosmtpd from the dev tools, on a free port) and read back there.
# Commit first: HEAD is deployed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
# The SMTP catcher runs beside the deployment with the dev tools (aiosmtpd), never inside it.
DEV_PYTHON=${DEV_PYTHON:-$ROOT/.venv/bin/python}
PORT=${SMOKE_PORT:-8095}
PG=${SMOKE_PG:-postgres://postgres@127.0.0.1:5432}
DB_NAME=${SMOKE_DB:-salesbackend_smoke}
REDIS_URL=${SMOKE_REDIS:-redis://127.0.0.1:6379/9}
WORK=$(mktemp -d)
APP=$WORK/app
BASE="http://127.0.0.1:$PORT"

pids=()
catcher=""
stop() {
  [ -z "$catcher" ] || { kill -TERM "$catcher" 2>/dev/null || true; wait "$catcher" 2>/dev/null || true; }
  # Each Procfile process runs in a process group of its own (setsid): stop the whole group.
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap stop EXIT

commit=$(git -C "$ROOT" rev-parse HEAD)
if ! git -C "$ROOT" diff --quiet HEAD || [ -n "$(git -C "$ROOT" ls-files --others --exclude-standard)" ]; then
  echo "note: uncommitted changes are not deployed; the smoke test deploys HEAD"
fi
echo "== a clean clone of $(git -C "$ROOT" log -1 --format='%h %s' | cut -c1-100)"
git clone --quiet --no-checkout "$ROOT" "$APP"
git -C "$APP" checkout --quiet --detach "$commit"
[ ! -e "$APP/staticfiles" ] || { echo "FAIL: the clone has a staticfiles/ directory"; exit 1; }

echo "== a fresh virtualenv: pip install -r requirements.txt"
"$PYTHON" -m venv "$WORK/venv"
if ! (cd "$APP" && "$WORK/venv/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt) \
  >"$WORK/pip.log" 2>&1; then
  grep -v "^WARNING: Location" "$WORK/pip.log"; echo "FAIL: pip install -r requirements.txt"; exit 1
fi
if "$WORK/venv/bin/python" -c "import pytest" 2>/dev/null; then
  echo "FAIL: a dev package (pytest) is in the production virtualenv"; exit 1
fi

echo "== a local SMTP server to catch the e-mail"
"$DEV_PYTHON" -c "import aiosmtpd" 2>/dev/null || { echo "FAIL: $DEV_PYTHON has no aiosmtpd (make install)"; exit 1; }
# It requires a login, as a real mail server does: the password has an @, percent-encoded in EMAIL_URL.
SMTP_USER=smoke SMTP_PASSWORD='Mail@Smoke-1' \
  "$DEV_PYTHON" "$ROOT/scripts/smtp_catcher.py" "$WORK/mail" "$WORK/smtp-port" >"$WORK/smtp.log" 2>&1 &
catcher=$!
for _ in $(seq 50); do [ -s "$WORK/smtp-port" ] && break; sleep 0.1; done
[ -s "$WORK/smtp-port" ] || { echo "FAIL: the SMTP catcher did not start"; cat "$WORK/smtp.log"; exit 1; }
SMTP_PORT=$(cat "$WORK/smtp-port")

# What the deployment sets, and nothing else from this shell.
mkdir -p "$WORK/home"
deployment=(
  PATH="$WORK/venv/bin:/usr/local/bin:/usr/bin:/bin" HOME="$WORK/home" LANG=C.UTF-8
  DJANGO_DEBUG=0
  DJANGO_TRUST_X_FORWARDED_PROTO=1  # behind a TLS proxy that says so (smoke_http.py plays it)
  DJANGO_SECRET_KEY="smoke-$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
  DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
  DATABASE_URL="$PG/$DB_NAME" REDIS_URL="$REDIS_URL"
  EMAIL_URL="smtp://smoke:Mail%40Smoke-1@127.0.0.1:$SMTP_PORT"  # the SMTP server, as production sets it
  PORT="$PORT" HOST=127.0.0.1 WEB_CONCURRENCY=2
)
deployed() { (cd "$APP" && env -i "${deployment[@]}" "$@"); }

psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME"
redis-cli -u "$REDIS_URL" flushdb >/dev/null

echo "== check --deploy (production settings, runtime packages only)"
deployed python manage.py check --deploy --fail-level WARNING

for process in web worker; do
  line=$(sed -n "s/^$process: *//p" "$APP/Procfile")
  [ -n "$line" ] || { echo "FAIL: no $process line in the Procfile"; exit 1; }
  echo "== $process: $line"
  (cd "$APP" && exec env -i "${deployment[@]}" setsid bash -c "$line") >"$WORK/$process.log" 2>&1 &
  pids+=($!)
done
for _ in $(seq 180); do
  curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
  kill -0 "${pids[0]}" 2>/dev/null || break
  sleep 1
done
curl -fsS "$BASE/healthz" || { echo "FAIL: web did not come up"; cat "$WORK/web.log"; exit 1; }
echo

# Nothing like the usernames: Django refuses a password too similar to one (random tails made it flaky).
password="Quartz-$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
deployed DJANGO_USER_PASSWORD="$password" python manage.py createuser --role ceo --username smoke-ceo \
  --email ceo@smoke.test
deployed DJANGO_USER_PASSWORD="$password" python manage.py createuser --role customer --username smoke-customer \
  --email customer@smoke.test

echo "== pages with their stylesheets and scripts, as a browser behind the TLS proxy"
"$WORK/venv/bin/python" "$APP/scripts/smoke_http.py" "$BASE" smoke-ceo "$password" || {
  echo "-- web log"; tail -40 "$WORK/web.log"; exit 1
}
echo "OK: the web line collected $(find "$APP/staticfiles" -type f 2>/dev/null | wc -l) static files (manifest:" \
  "$(test -f "$APP/staticfiles/staticfiles.json" && echo yes || echo no))"

echo "== one order over the API"
api() {  # method, path, token, body -> response body; fails on an unexpected status
  local status
  status=$(curl -sS -o "$WORK/body" -w '%{http_code}' -X "$1" -H 'Content-Type: application/json' \
    -H 'X-Forwarded-Proto: https' \
    ${3:+-H "Authorization: Bearer $3"} ${4:+-d "$4"} "$BASE/api/v1/$2")
  case "$status" in 2*) cat "$WORK/body" ;; *) echo "FAIL: $1 $2 -> $status $(cat "$WORK/body")" >&2; return 1 ;; esac
}
field() { "$WORK/venv/bin/python" -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }

ceo=$(api POST auth/login/ "" "{\"username\": \"smoke-ceo\", \"password\": \"$password\"}" | field access)
customer=$(api POST auth/login/ "" "{\"username\": \"smoke-customer\", \"password\": \"$password\"}" | field access)
api POST categories/ "$ceo" '{"name": "Smoke", "slug": "smoke"}' >/dev/null
product=$(api POST products/ "$ceo" '{"sku": "SMOKE-1", "name": "Smoke test", "price": "12.50",
  "cost_price": "5.00", "category": "smoke", "stock": 3}' | field id)
number=$(api POST orders/ "$customer" "{\"items\": [{\"product\": $product, \"quantity\": 1}],
  \"shipping_address\": {\"name\": \"Smoke\", \"line1\": \"1 Test St\", \"city\": \"Paris\",
  \"postal_code\": \"75001\", \"country\": \"FR\"}}" | field number)
echo "== order $number placed; waiting for the worker's confirmation e-mail at the SMTP server (port $SMTP_PORT)"

for _ in $(seq 60); do
  grep -qs "^Subject: Order $number confirmed" "$WORK"/mail/*.eml && break
  sleep 1
done
if ! grep -qs "^Subject: Order $number confirmed" "$WORK"/mail/*.eml; then
  echo "FAIL: no confirmation e-mail for $number reached the SMTP server"
  echo "-- worker log"; tail -40 "$WORK/worker.log"; echo "-- SMTP catcher"; cat "$WORK/smtp.log"; exit 1
fi
grep -qs "^To: customer@smoke.test" "$(grep -ls "^Subject: Order $number confirmed" "$WORK"/mail/*.eml)" ||
  { echo "FAIL: the confirmation of $number is not addressed to the customer"; exit 1; }
grep -q "send_pending_confirmations.*succeeded" "$WORK/worker.log" || { echo "FAIL: the worker did not run the confirmation sweep"; exit 1; }
echo "OK: the worker sent the confirmation of $number over SMTP"
# The periodic work the beat schedule names must be registered in a production worker too.
for task in orders.tasks.expire_pending_orders analytics.tasks.send_due_reports orders.tasks.send_pending_confirmations; do
  grep -q "$task" "$WORK/worker.log" || { echo "FAIL: the worker does not know $task"; exit 1; }
done
echo "OK: the worker knows the beat schedule's tasks"
