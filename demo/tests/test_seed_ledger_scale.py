"""`seed_ledger_scale` (make bench-scale) at a small size: the copies are exact copies of the base
history with their own ids, numbers and times, the schema ends as migrate made it, the rollups
equal the ledger, nothing lands in the default partition and a dated query reads one partition."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, F, Sum

from demo.scale import COPY_SHIFT, schema_snapshot
from orders.ledger import sales_ledger_default_rows, sales_rollup_differences
from orders.models import Order, OrderItem, SalesRecord
from salesbackend.zone import sales_zone

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the scale seed loads with PostgreSQL's COPY"
    ),
    pytest.mark.django_db(transaction=True),
]

SMALL = {"base_orders": 40, "customers": 8, "products": 10, "seed": 3}


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_ledger_scale", stdout=out, **options)
    return out.getvalue()


def test_copies_of_the_base_history_reach_the_lines_asked_for():
    output = seed(lines=400, **SMALL)

    base_lines = int(re.search(r"a base of ([\d,]+) ledger lines", output)[1].replace(",", ""))
    copies = int(re.search(r"and (\d+) cop(?:y|ies) of it", output)[1])
    assert copies == -(-400 // base_lines) - 1 >= 1
    assert SalesRecord.objects.count() == base_lines * (copies + 1) >= 400
    base_orders = Order.objects.order_by("id").values_list("id", flat=True)[SMALL["base_orders"] - 1]
    assert Order.objects.count() == SMALL["base_orders"] * (copies + 1)

    # Each copy: the same lines (quantities, money, products, customers) under new order ids,
    # every time moved back by COPY_SHIFT per copy.
    def lines_of(copy: int) -> list[tuple]:
        offset = base_orders * copy
        rows = SalesRecord.objects.filter(order_id__gt=offset, order_id__lte=offset + base_orders)
        return sorted(
            (
                r.order_id - offset,
                r.product_id,
                r.customer_id,
                r.quantity,
                r.revenue,
                r.cost,
                r.discount,
                r.reverses_order,
                r.sold_at + COPY_SHIFT * copy,
            )
            for r in rows
        )

    assert all(lines_of(copy) == lines_of(0) for copy in range(1, copies + 1))
    # Every copied line points at its own copy's order item, of its own order.
    assert not SalesRecord.objects.exclude(order_item__order_id=F("order_id")).exists()
    numbers = Order.objects.values_list("id", "number", "created_at")
    assert all(
        number == f"SO-{created.astimezone(sales_zone()):%Y}-{pk:06d}" for pk, number, created in numbers
    )
    assert OrderItem.objects.count() == OrderItem.objects.filter(order_id__lte=base_orders).count() * (
        copies + 1
    )

    assert sales_rollup_differences() == {}
    assert sales_ledger_default_rows() == 0
    assert "schema: every index and constraint as `migrate` made them" in output
    read = re.search(r"Partitions read: (\S+) \(1 of \d+\)", output)
    assert read and read[1].startswith("orders_salesrecord_y")


def test_a_database_with_orders_is_refused_untouched():
    seed(lines=1, **SMALL)
    before = (
        schema_snapshot(),
        Order.objects.count(),
        SalesRecord.objects.aggregate(Sum("revenue"), Count("id")),
    )

    with pytest.raises(CommandError, match="already has orders"):
        seed(lines=1000, **SMALL)

    assert (
        schema_snapshot(),
        Order.objects.count(),
        SalesRecord.objects.aggregate(Sum("revenue"), Count("id")),
    ) == before


def test_the_shift_of_the_oldest_copy_is_bounded():
    with pytest.raises(CommandError, match="give a larger base"):
        seed(lines=10_000_000, **{**SMALL, "base_orders": 10})
    assert not Order.objects.exists()
