#!/usr/bin/env bash
# `make dblimit`: the database's own limit for the write path. pgbench replays the SQL of one
# order placement (scripts/loadtest/order.sql) and of one payment (scripts/loadtest/payment.sql)
# with 10 clients for LOADTEST_SECONDS each: every order is one of 100 customers buying the one
# hot product (a flash sale), every payment pays one of the orders just placed. Orders run once
# over kept connections (as the pool gives them) and once reconnecting for every order (as Django
# without a pool did). No Python in the loop: what the app can approach, not beat.
# orders/tests/test_dblimit_replay.py keeps both files statement for statement with the services.
# Fails on any failed or aborted pgbench transaction, or when no tps came out.
set -euo pipefail
cd "$(dirname "$0")/../.."

BIN=${BIN:-.venv/bin}
SECONDS_EACH=${LOADTEST_SECONDS:-10}
DB_NAME=${DBLIMIT_DB:-salesbackend_dblimit}
PG=${LOADTEST_PG:-postgres://postgres@127.0.0.1:5432}
CLIENTS=${DBLIMIT_CLIENTS:-10}

export DATABASE_URL="$PG/$DB_NAME" DJANGO_DEBUG=0 DJANGO_SECURE_SSL_REDIRECT=0
export DJANGO_SECRET_KEY="dblimit-$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
unset REDIS_URL

drop() { psql -q "$PG/postgres" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)"; }
trap drop EXIT
drop
psql -q "$PG/postgres" -c "CREATE DATABASE $DB_NAME"
$BIN/python manage.py migrate --noinput >/dev/null

# Seeded through the services: a CEO, 100 customers with consecutive ids, the hot product with
# deep stock; each customer places and pays one order first, so the day's rollup rows exist
# (the steady state payment.sql replays). Last line: the ids and dates pgbench needs.
seedlog=$(mktemp)
seed=$($BIN/python - 2>"$seedlog" <<'PY' | tail -n 1
import os, sys
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesbackend.settings")
import django
django.setup()
from decimal import Decimal
from django.utils import timezone
from accounts.roles import Role
from accounts.services import user_create
from catalog.services import category_create
from catalog.models import SalesChannel
from inventory.services import stocked_product_create
from orders.models import OrderStatus
from orders.services import order_place, order_set_status

address = {"name": "Load Test", "line1": "1 Bench St", "city": "Paris", "postal_code": "75001", "country": "FR"}
ceo = user_create(username="dbl-ceo", email="dbl-ceo@example.com", password=None, role=Role.CEO)
customers = [
    user_create(username=f"dbl-c{n:03d}", email=f"dbl-c{n:03d}@example.com", password=None, role=Role.CUSTOMER)
    for n in range(100)
]
ids = [c.pk for c in customers]
assert ids == list(range(ids[0], ids[0] + 100)), "customer ids are not consecutive"
category = category_create(actor=ceo, name="Flash sale")
product = stocked_product_create(
    actor=ceo, sku="DBL-HOT", name="Flash sale product", description="The one product everyone buys.",
    price=Decimal("10.00"), cost_price=Decimal("6.00"), category=category, stock=100_000_000,
)
for customer in customers:
    order = order_place(
        customer=customer, actor=customer, lines=[{"product": product.pk, "quantity": 1}], shipping_address=address
    ).order
    order_set_status(order=order, to_status=OrderStatus.PAID, actor=ceo)
today = timezone.localdate()
channel = SalesChannel.objects.get(code="web")
print(ids[0], product.pk, channel.pk, ceo.pk, f"{today:%Y%m%d}", f"{today.replace(day=1):%Y%m%d}")
PY
) || { cat "$seedlog" >&2; exit 1; }
rm -f "$seedlog"
read -r customer0 product channel ceo day month <<<"$seed"

bench() {  # label, unit, script, extra pgbench flags and -D variables...
  local label=$1 unit=$2 script=$3 out tps latency failed
  shift 3
  if ! out=$(pgbench -n -c "$CLIENTS" -j 2 -T "$SECONDS_EACH" -f "$script" "$@" "$DATABASE_URL" 2>&1); then
    printf '%s\n' "$out" >&2
    echo "dblimit: pgbench failed for $label" >&2
    return 1
  fi
  tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out")
  latency=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' <<<"$out")
  failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' <<<"$out")
  if [ -z "$tps" ] || [ "${failed:-0}" != 0 ] || grep -q 'aborted' <<<"$out"; then
    printf '%s\n' "$out" >&2
    echo "dblimit: $label: failed or aborted transactions, or no tps" >&2
    return 1
  fi
  printf '%-44s %8.1f %s  (latency %s ms)\n' "$label" "$tps" "$unit" "$latency"
}

echo "== pgbench: $CLIENTS clients, ${SECONDS_EACH}s each, 100 customers, one hot product"
order0=$(psql -qtA "$DATABASE_URL" -c "SELECT COALESCE(MAX(id), 0) + 1 FROM orders_order")
orders_vars=(-D customer0="$customer0" -D product="$product" -D channel="$channel")
bench "orders, kept connections (as from the pool)" "orders/s" scripts/loadtest/order.sql "${orders_vars[@]}"
bench "orders, a new connection for every order" "orders/s" scripts/loadtest/order.sql -C "${orders_vars[@]}"

# The payments pay the orders just placed: ids from order0 on, with no gaps (no order failed).
read -r placed last <<<"$(psql -qtA -F ' ' "$DATABASE_URL" -c "SELECT COUNT(*), MAX(id) FROM orders_order WHERE id >= $order0")"
if [ "$placed" -eq 0 ] || [ "$last" -ne $((order0 + placed - 1)) ]; then
  echo "dblimit: the placed orders' ids are not consecutive ($placed orders, $order0..$last)" >&2
  exit 1
fi
bench "payments, kept connections (as from the pool)" "payments/s" scripts/loadtest/payment.sql \
  -D order0="$order0" -D orders="$placed" -D ceo="$ceo" -D day="$day" -D month="$month"
