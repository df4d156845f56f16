"""The sales ledger partitioned by month on PostgreSQL: each sale in its month's partition, the
partitions made ahead (idempotently), a warning while the default partition holds rows, and the
migration that converts a populated ledger (and back) keeping every month's sums."""

from datetime import UTC, datetime
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from catalog.tests.factories import CategoryFactory, ProductFactory
from orders.checks import LEDGER_DEFAULT_PARTITION_NOT_EMPTY, sales_ledger_default_partition_check
from orders.ledger import (
    sales_ledger_default_rows,
    sales_ledger_is_partitioned,
    sales_ledger_partitions_ensure,
    sales_rollup_differences,
)
from orders.ledger.partitions import DEFAULT_PARTITION, sales_ledger_partitions
from orders.models import OrderStatus, SalesRecord
from orders.services import order_set_status
from orders.tests.factories import place_order

only_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitioned tables are PostgreSQL's"
)
MIGRATION = "0014_sales_ledger_partitioned_by_month"
# Fourteen months, mid-month, well before the test database's own partitions (made at migrate).
MONTHS = [
    datetime(2024 + (month - 1) // 12, (month - 1) % 12 + 1, 15, 12, tzinfo=UTC) for month in range(1, 15)
]
# The migration test commits its partitions: other months, so the other tests still find none.
MIGRATED_MONTHS = [month.replace(year=month.year - 2) for month in MONTHS]


def _pay_in(months, customer, salesperson) -> None:
    product = ProductFactory(category=CategoryFactory(), stock=100)
    for moment in months:
        with mock.patch("django.utils.timezone.now", return_value=moment):
            order_set_status(
                order=place_order(customer=customer, products={product: 2}),
                to_status=OrderStatus.PAID,
                actor=salesperson,
            )


def _where_rows_are() -> dict[str, int]:
    """Rows per partition holding them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text, count(*) FROM orders_salesrecord GROUP BY 1")
        return dict(cursor.fetchall())


def _monthly_sums() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT date_trunc('month', sold_at AT TIME ZONE 'UTC'), count(*), sum(quantity), sum(revenue), "
            "sum(cost), sum(discount) FROM orders_salesrecord GROUP BY 1 ORDER BY 1"
        )
        return cursor.fetchall()


def _warnings() -> list[str]:
    return [message.id for message in sales_ledger_default_partition_check(databases=["default"])]


@pytest.mark.django_db
@pytest.mark.postgres
@only_postgres
def test_the_ledger_is_partitioned_by_month_after_migrate():
    assert sales_ledger_is_partitioned()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT partstrat, pg_get_partkeydef(partrelid) FROM pg_partitioned_table "
            "WHERE partrelid = 'orders_salesrecord'::regclass"
        )
        assert cursor.fetchone() == ("r", "RANGE (sold_at)")
    now = datetime.now(UTC)
    partitions = sales_ledger_partitions()
    assert partitions[-1] == DEFAULT_PARTITION
    assert f"orders_salesrecord_y{now.year:04d}m{now.month:02d}" in partitions
    assert sales_ledger_default_rows() == 0
    assert _warnings() == []


@pytest.mark.django_db
@pytest.mark.postgres
@only_postgres
def test_a_sale_in_each_of_14_months_lands_in_its_partition(customer, salesperson, settings):
    settings.ORDER_MAX_PENDING_PER_CUSTOMER = 0
    created = sales_ledger_partitions_ensure(since=MONTHS[0], now=MONTHS[-1])
    assert created[:14] == [f"orders_salesrecord_y{m.year:04d}m{m.month:02d}" for m in MONTHS]

    _pay_in(MONTHS, customer, salesperson)

    assert _where_rows_are() == {f"orders_salesrecord_y{m.year:04d}m{m.month:02d}": 1 for m in MONTHS}
    assert sales_ledger_default_rows() == 0
    assert _warnings() == []
    assert sales_rollup_differences() == {}


@pytest.mark.django_db
@pytest.mark.postgres
@only_postgres
def test_ensure_partitions_makes_three_months_ahead_and_is_idempotent():
    now = datetime(2031, 11, 20, tzinfo=UTC)
    made = ["orders_salesrecord_y2031m11", "orders_salesrecord_y2031m12", "orders_salesrecord_y2032m01"]
    made.append("orders_salesrecord_y2032m02")

    assert sales_ledger_partitions_ensure(now=now) == made
    assert sales_ledger_partitions_ensure(now=now) == []
    assert set(made) <= set(sales_ledger_partitions())

    out = StringIO()
    call_command("ensure_partitions", stdout=out)  # today's months: made at migrate already
    assert "Every partition was there already." in out.getvalue()


@pytest.mark.django_db
@pytest.mark.postgres
@only_postgres
def test_rows_in_the_default_partition_warn_until_ensure_partitions_moves_them(
    customer, salesperson, settings
):
    settings.ORDER_MAX_PENDING_PER_CUSTOMER = 0
    _pay_in(MONTHS[:2], customer, salesperson)  # months without a partition

    assert _where_rows_are() == {DEFAULT_PARTITION: 2}
    [warning] = sales_ledger_default_partition_check(databases=["default"])
    assert warning.id == LEDGER_DEFAULT_PARTITION_NOT_EMPTY
    assert "2 sales records are in the ledger's default partition" in warning.msg
    assert "ensure_partitions" in warning.hint

    out = StringIO()
    call_command("ensure_partitions", stdout=out)

    assert "orders_salesrecord_y2024m01, orders_salesrecord_y2024m02" in out.getvalue()
    assert _where_rows_are() == {"orders_salesrecord_y2024m01": 1, "orders_salesrecord_y2024m02": 1}
    assert _warnings() == []
    assert sales_rollup_differences() == {}


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
@only_postgres
def test_the_migration_converts_a_populated_ledger_keeping_every_months_sums(customer, salesperson, settings):
    settings.ORDER_MAX_PENDING_PER_CUSTOMER = 0
    sales_ledger_partitions_ensure(since=MIGRATED_MONTHS[0], now=MIGRATED_MONTHS[-1])
    _pay_in(MIGRATED_MONTHS + MIGRATED_MONTHS[:3], customer, salesperson)
    sums = _monthly_sums()
    last_id = SalesRecord.objects.order_by("-id").values_list("id", flat=True).first()

    executor = MigrationExecutor(connection)
    executor.migrate([("orders", "0013_returns")])
    assert not sales_ledger_is_partitioned()
    assert _monthly_sums() == sums

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # this one and what came after it

    assert sales_ledger_is_partitioned()
    assert _monthly_sums() == sums
    where = _where_rows_are()
    assert DEFAULT_PARTITION not in where
    assert where["orders_salesrecord_y2022m02"] == 2 and where["orders_salesrecord_y2023m02"] == 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes "
            "WHERE tablename = 'orders_salesrecord' AND indexname LIKE 'orders_sale_%%'"
        )
        indexes = {name for (name,) in cursor.fetchall()}
    assert {"orders_sale_customer_sold_at", "orders_sale_reversal_sold_at"} <= indexes
    executor.loader.build_graph()  # on to the latest migrations, which the code below needs
    executor.migrate(executor.loader.graph.leaf_nodes())
    # The id sequence carried over: the next sale follows the last.
    _pay_in(MIGRATED_MONTHS[-1:], customer, salesperson)
    assert SalesRecord.objects.order_by("-id").values_list("id", flat=True).first() > last_id
    assert sales_rollup_differences() == {}


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor == "postgresql", reason="the plain table of other databases")
def test_elsewhere_the_ledger_is_a_plain_table_and_nothing_warns():
    assert not sales_ledger_is_partitioned()
    assert sales_ledger_partitions_ensure() == []
    assert sales_ledger_default_rows() is None
    assert _warnings() == []
    out = StringIO()
    call_command("ensure_partitions", stdout=out)
    assert "not partitioned here" in out.getvalue()
