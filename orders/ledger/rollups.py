"""The sales ledger's five rollups: kept exact as rows are appended (`sales_rollups_add`),
rebuilt from the ledger, verified against it."""

import logging
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.apps.registry import Apps
from django.db import connection, transaction
from django.db.models import Count, DateField, Max, Min, Model, Q, QuerySet, Sum, Value
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from audit.models import AuditAction
from audit.services import record
from orders.models import (
    CustomerSales,
    DailyCodeSales,
    DailyCustomers,
    DailyOrders,
    DailySales,
    ProductSales,
    SalesRecord,
    SalesRollupZone,
)
from salesbackend.zone import sales_zone, sales_zone_name

from .upsert import ADD, EARLIEST, LATEST, rollup_upsert
from .version import sales_ledger_version_bump_on_commit

logger = logging.getLogger(__name__)

# Each rollup model's columns, in the order `sales_rollup_rows` selects them; the keys come
# first. Writers lock rollup rows in this order of models, then of keys (no deadlocks).
SALES_ROLLUP_COLUMNS: dict[type[Model], tuple[str, ...]] = {
    DailySales: ("day", "channel_id", "category_id", "quantity", "revenue", "cost", "discount", "lines"),
    ProductSales: (
        "whole_month",
        "day",
        "product_id",
        "category_id",
        "channel_id",
        "quantity",
        "revenue",
        "cost",
        "discount",
        "lines",
    ),
    DailyOrders: ("day", "channel_id", "orders_sold", "orders_reversed"),
    DailyCodeSales: (
        "day",
        "channel_id",
        "discount_code_id",
        "revenue",
        "discount",
        "orders_sold",
        "orders_reversed",
    ),
    DailyCustomers: ("day", "channel_id", "customer_id", "orders_sold", "revenue"),
    CustomerSales: ("channel_id", "customer_id", "first_day", "last_day", "orders_sold", "revenue"),
}

# How each rollup's value columns combine a new row with the stored one of its key (the other
# columns); `orders.ledger.upsert` says it in SQL.
ROLLUP_AMOUNTS: dict[type[Model], tuple[tuple[str, str], ...]] = {
    DailySales: tuple((column, ADD) for column in ("quantity", "revenue", "cost", "discount", "lines")),
    ProductSales: tuple((column, ADD) for column in ("quantity", "revenue", "cost", "discount", "lines")),
    DailyOrders: (("orders_sold", ADD), ("orders_reversed", ADD)),
    DailyCodeSales: tuple(
        (column, ADD) for column in ("revenue", "discount", "orders_sold", "orders_reversed")
    ),
    DailyCustomers: (("orders_sold", ADD), ("revenue", ADD)),
    CustomerSales: (("orders_sold", ADD), ("revenue", ADD), ("first_day", EARLIEST), ("last_day", LATEST)),
}
# The sharded rollups (`orders.models.ledger.Sharded`): a sale adds to shard `order id %
# ROLLUP_SHARDS`, so concurrent payments of one day and channel (or one product) wait on each
# other only when their orders share a shard. Readers sum over the shards.
SHARDED_ROLLUPS = (DailySales, ProductSales, DailyOrders, DailyCodeSales)
ROLLUP_SHARDS = 8


def _rollup_keys(rollup: type[Model]) -> tuple[str, ...]:
    """The key columns of a rollup's rows as `sales_rollups_add` writes them (shard last)."""
    amounts = {column for column, _ in ROLLUP_AMOUNTS[rollup]}
    keys = tuple(column for column in SALES_ROLLUP_COLUMNS[rollup] if column not in amounts)
    return (*keys, "shard") if rollup in SHARDED_ROLLUPS else keys


def sales_rollup_rows(
    ledger: type[Model] = SalesRecord, *, counts_lines: bool = True
) -> dict[type[Model], QuerySet]:
    """Each rollup's rows as the sales ledger adds them up, one GROUP BY each, by rollup model.

    The columns are those of SALES_ROLLUP_COLUMNS, in that order: `sales_rollup_fill`
    inserts these rows as they are. `ledger` is the SalesRecord model (a migration passes
    its historical one; `counts_lines=False` for rollups from before their `lines`). Days and
    months are the business's (SALES_TIME_ZONE), like the analytics date filters.
    """
    records = ledger._default_manager.order_by()
    day = TruncDate("sold_at", tzinfo=sales_zone())
    month = TruncMonth("sold_at", tzinfo=sales_zone(), output_field=DateField())
    net = {
        "net_quantity": Sum("quantity"),
        "net_revenue": Sum("revenue"),
        "net_cost": Sum("cost"),
        "given_discount": Sum("discount"),
        **({"line_count": Count("*")} if counts_lines else {}),
    }
    per_product = ("whole_month", "day", "product_id", "category_id", "channel_id")
    return {
        DailySales: records.annotate(day=day).values("day", "channel_id", "category_id").annotate(**net),
        ProductSales: records.annotate(whole_month=Value(True), day=month)
        .values(*per_product)
        .annotate(**net)
        .union(
            records.annotate(whole_month=Value(False), day=day).values(*per_product).annotate(**net), all=True
        ),
        DailyOrders: records.annotate(day=day)
        .values("day", "channel_id")
        .annotate(
            sold=Count("order_id", distinct=True, filter=Q(quantity__gt=0)),
            reversed=Count("order_id", distinct=True, filter=_order_reversed(ledger)),
        ),
        DailyCustomers: records.annotate(day=day)
        .values("day", "channel_id", "customer_id")
        .annotate(
            sold=Count("order_id", distinct=True, filter=Q(quantity__gt=0)),
            net_revenue=Sum("revenue"),
        ),
        CustomerSales: records.values("channel_id", "customer_id").annotate(
            first=Min(day, filter=Q(quantity__gt=0)),
            last=Max(day, filter=Q(quantity__gt=0)),
            sold=Count("order_id", distinct=True, filter=Q(quantity__gt=0)),
            net_revenue=Sum("revenue"),
        ),
        # A migration's historical ledger from before the rows carried their order's code has none.
        **(
            {
                DailyCodeSales: records.filter(discount_code__isnull=False)
                .annotate(day=day)
                .values("day", "channel_id", "discount_code_id")
                .annotate(
                    net_revenue=Sum("revenue"),
                    given_discount=Sum("discount"),
                    sold=Count("order_id", distinct=True, filter=Q(quantity__gt=0)),
                    reversed=Count("order_id", distinct=True, filter=_order_reversed(ledger)),
                )
            }
            if any(field.name == "discount_code" for field in ledger._meta.get_fields())
            else {}
        ),
    }


def _order_reversed(ledger: type[Model]) -> Q:
    """The rows that count an order as reversed. A migration's historical ledger from before
    partial refunds has no `reverses_order`: every reversal then took back a whole order."""
    if any(field.name == "reverses_order" for field in ledger._meta.get_fields()):
        return Q(quantity__lt=0, reverses_order=True)
    return Q(quantity__lt=0)


def _in_cents(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """SQLite sums decimals as floats: compare money in cents."""
    return tuple(
        Decimal(str(value)).quantize(Decimal("0.01")) if isinstance(value, float | Decimal) else value
        for value in row
    )


def sales_rollup_differences() -> dict[str, int]:
    """How many rows of each rollup differ from the ledger (wrong, missing or extra), by rollup
    model name; {} when exact.

    Compares whole tables in Python: for tests and the nightly check, not for requests.
    Where sales may be recorded meanwhile, call it inside `sales_rollup_verify`, which
    holds the rollups still.
    """
    differences = {}
    for rollup, from_ledger in sales_rollup_rows().items():
        expected = {_in_cents(tuple(row.values())) for row in from_ledger}
        stored = {_in_cents(row) for row in _rollup_stored_rows(rollup)}
        if expected != stored:
            differences[rollup.__name__] = len(expected ^ stored)
    return differences


def _rollup_stored_rows(rollup: type[Model]) -> QuerySet:
    """A rollup's rows as SALES_ROLLUP_COLUMNS tuples, summed over the shards of sharded ones."""
    rows = rollup._default_manager.order_by()
    if rollup in SHARDED_ROLLUPS:  # their amounts all add up
        sums = [column for column, _ in ROLLUP_AMOUNTS[rollup]]
        rows = rows.values(*_rollup_keys(rollup)[:-1]).annotate(
            **{f"{column}_sum": Sum(column) for column in sums}
        )
        return rows.values_list(*_rollup_keys(rollup)[:-1], *(f"{column}_sum" for column in sums))
    return rows.values_list(*SALES_ROLLUP_COLUMNS[rollup])


def sales_rollups_add(records: Sequence[SalesRecord]) -> None:
    """Add records to every rollup: money per day, per product and day and month, orders, and
    per customer.

    One statement per rollup (`rollup_upsert`), rollup by rollup in SALES_ROLLUP_COLUMNS
    order, keys sorted, so two transactions lock shared rows in the same order and never
    deadlock; however many lines an order has, a payment costs the same five statements (six
    with a discount code).
    """
    money: dict[type[Model], dict[tuple, dict[str, Any]]] = {
        DailySales: defaultdict(_no_sales),
        ProductSales: defaultdict(_no_sales),
    }
    sold: dict[tuple, set[int]] = defaultdict(set)
    reversed_: dict[tuple, set[int]] = defaultdict(set)
    coded: dict[tuple, list[Decimal]] = defaultdict(lambda: [Decimal("0.00"), Decimal("0.00")])
    coded_sold: dict[tuple, set[int]] = defaultdict(set)
    coded_reversed: dict[tuple, set[int]] = defaultdict(set)
    bought: dict[tuple, set[int]] = defaultdict(set)
    customer_revenue: dict[tuple, Decimal] = defaultdict(Decimal)
    zone = sales_zone()  # the day a sale counts on is the business's
    for sale in records:
        day = sale.sold_at.astimezone(zone).date()
        shard = sale.order_id % ROLLUP_SHARDS
        for totals in (
            money[DailySales][day, sale.channel_id, sale.category_id, shard],
            money[ProductSales][False, day, sale.product_id, sale.category_id, sale.channel_id, shard],
            money[ProductSales][
                True, day.replace(day=1), sale.product_id, sale.category_id, sale.channel_id, shard
            ],
        ):
            totals["quantity"] += sale.quantity
            totals["revenue"] += sale.revenue
            totals["cost"] += sale.cost
            totals["discount"] += sale.discount
            totals["lines"] += 1
        customer = day, sale.channel_id, sale.customer_id
        customer_revenue[customer] += sale.revenue
        code = (day, sale.channel_id, sale.discount_code_id, shard) if sale.discount_code_id else None
        if code:
            coded[code][0] += sale.revenue
            coded[code][1] += sale.discount
        if sale.quantity > 0:
            sold[day, sale.channel_id, shard].add(sale.order_id)
            bought[customer].add(sale.order_id)
            if code:
                coded_sold[code].add(sale.order_id)
        elif sale.reverses_order:
            reversed_[day, sale.channel_id, shard].add(sale.order_id)
            if code:
                coded_reversed[code].add(sale.order_id)

    rows: dict[type[Model], dict[tuple, tuple]] = {
        rollup: {key: tuple(totals.values()) for key, totals in by_key.items()}
        for rollup, by_key in money.items()
    }
    rows[DailyOrders] = {
        key: (len(sold[key]), len(reversed_[key]))
        for key in sold.keys() | reversed_.keys()
        if sold[key] or reversed_[key]
    }
    rows[DailyCodeSales] = {
        key: (revenue, discount, len(coded_sold[key]), len(coded_reversed[key]))
        for key, (revenue, discount) in coded.items()
    }
    rows[DailyCustomers] = {key: (len(bought[key]), revenue) for key, revenue in customer_revenue.items()}
    # CustomerSales: the same per customer and channel (an order is paid on one day, so the
    # days' orders add up), with the earliest and latest day of a paid order.
    rows[CustomerSales] = {}
    for key in {(channel_id, customer_id) for _, channel_id, customer_id in customer_revenue}:
        days = {day for day, channel_id, customer_id in customer_revenue if (channel_id, customer_id) == key}
        paid_days = [day for day in days if bought[(day, *key)]]
        rows[CustomerSales][key] = (
            sum(len(bought[(day, *key)]) for day in days),
            sum((customer_revenue[(day, *key)] for day in days), Decimal("0.00")),
            min(paid_days, default=None),
            max(paid_days, default=None),
        )
    for rollup in SALES_ROLLUP_COLUMNS:
        if rows.get(rollup):
            keys = sorted(rows[rollup], key=_lock_order)
            rollup_upsert(
                rollup,
                _rollup_keys(rollup),
                ROLLUP_AMOUNTS[rollup],
                [(*key, *rows[rollup][key]) for key in keys],
            )


def _no_sales() -> dict[str, Any]:
    return {
        "quantity": 0,
        "revenue": Decimal("0.00"),
        "cost": Decimal("0.00"),
        "discount": Decimal("0.00"),
        "lines": 0,
    }


def _lock_order(key: tuple) -> tuple:
    return tuple(-1 if value is None else value for value in key)  # no category sorts first


@transaction.atomic
def sales_rollup_rebuild(*, actor=None) -> dict[str, int]:
    """Recompute every rollup from the sales ledger; returns the rows written per rollup.

    For seed_demo after its bulk load, for operators (`manage.py rebuild_sales_rollup`)
    and the nightly check. Sales recorded meanwhile wait for it and then add themselves
    to the new rows; analytics keep reading the old rows until it commits.
    """
    sales_rollups_lock()
    built_for = sales_rollup_zone()
    written = sales_rollup_fill()
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        entity_type="orders.salesrollup",
        entity_repr="Sales rollups rebuilt from the ledger",
        changes={
            **{name: [None, rows] for name, rows in written.items()},
            "time_zone": [built_for, sales_zone_name()],
        },
    )
    sales_ledger_version_bump_on_commit()
    return written


@transaction.atomic(durable=True)
def sales_rollup_verify(*, actor=None) -> dict[str, int]:
    """Compare the rollups with the ledger and rebuild them when they differ; returns the differences.

    They are kept exact on every sale, so a difference means rows were written around
    `sales_ledger_append` (SQL by hand, a partial restore): logged as an error, then repaired.
    Sales wait while it compares: the nightly beat task runs it.
    """
    sales_rollups_lock()
    differences = sales_rollup_differences()
    built_for = sales_rollup_zone()
    if differences and built_for not in (None, sales_zone_name()):
        logger.warning(
            "Sales rollups were built for %s, SALES_TIME_ZONE is %s; rebuilding them in its days.",
            built_for,
            sales_zone_name(),
        )
        sales_rollup_rebuild(actor=actor)
    elif differences:
        logger.error("Sales rollups differ from the ledger (rows per rollup: %s); rebuilding.", differences)
        sales_rollup_rebuild(actor=actor)
    elif built_for != sales_zone_name():  # equal to the ledger's days in this zone: they are its
        _zone_record(SalesRollupZone)
    return differences


@transaction.atomic(savepoint=False)
def sales_rollup_fill(*, app_registry: Apps = apps) -> dict[str, int]:
    """Empty the rollups and insert their rows from the ledger, one INSERT ... SELECT each;
    returns the rows written by rollup model name.

    Callers lock the rollups first (`sales_rollup_rebuild`), or run before any sale can be
    recorded (the migration that creates the rollups passes its registry: the models are then
    its historical versions of the same classes). Records SALES_TIME_ZONE as the zone they
    were built in.
    """
    ledger = app_registry.get_model(SalesRecord._meta.label)
    # An earlier migration's rollups have no line counts yet (the one that adds them refills them).
    counts_lines = any(
        field.name == "lines" for field in app_registry.get_model(DailySales._meta.label)._meta.get_fields()
    )
    written = {}
    for rollup, rows in sales_rollup_rows(ledger, counts_lines=counts_lines).items():
        try:
            model = app_registry.get_model(rollup._meta.label)
        except LookupError:  # an earlier migration's registry: the migration that adds it fills it
            continue
        model._default_manager.all().delete()
        columns = [column for column in SALES_ROLLUP_COLUMNS[rollup] if counts_lines or column != "lines"]
        written[rollup.__name__] = _insert_select(model, columns, rows)
    try:
        zone = app_registry.get_model(SalesRollupZone._meta.label)
    except LookupError:  # an earlier migration's registry: the migration that adds it records the zone
        return written
    _zone_record(zone)
    return written


def _zone_record(model: type[Model]) -> None:
    model._default_manager.update_or_create(
        pk=1, defaults={"time_zone": sales_zone_name(), "built_at": timezone.now()}
    )


def sales_rollup_zone() -> str | None:
    """The time zone whose days the rollups hold (None: not recorded, e.g. after a flush)."""
    return SalesRollupZone.objects.filter(pk=1).values_list("time_zone", flat=True).first()


def _insert_select(model: type[Model], columns: Sequence[str], rows: QuerySet) -> int:
    """INSERT INTO model's table SELECT `rows`. The ORM cannot say INSERT ... SELECT, so the
    statement wraps the ORM's own SQL for `rows`: the database moves a million ledger rows'
    sums without a round trip through Python."""
    quote = connection.ops.quote_name
    db_columns = {field.attname: field.column for field in model._meta.concrete_fields}
    targets = ", ".join(quote(db_columns[column]) for column in columns)
    select, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({targets}) {select}", params)
        return cursor.rowcount


def sales_rollups_lock(*, app_registry: Apps = apps) -> None:
    """Hold off rollup writers until this transaction ends; readers carry on.

    A sale that touched the rollups before waits to commit first, so this transaction reads
    it from the ledger; a later one waits here, then adds itself to the rows written now.
    The ORM cannot lock a table, hence SQL. SQLite has one writer at a time anyway. A
    migration passes its registry: the rollups it does not have yet are not there to lock.
    """
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    labels = {model._meta.label for model in app_registry.get_models()}
    tables = ", ".join(
        quote(rollup._meta.db_table) for rollup in SALES_ROLLUP_COLUMNS if rollup._meta.label in labels
    )
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
