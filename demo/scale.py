"""The partitioned sales ledger at scale: the million-line demo's history, copied through COPY.

`manage.py seed_ledger_scale` (`make bench-scale`) fills an empty, migrated PostgreSQL database
with about ten million ledger lines in minutes. Drawing every order in Python as `demo.history`
does costs about 0.7 ms an order, three quarters of an hour for 2.5 million orders, so:

1. the base history is `demo.generator.demo_seed` itself (users, catalog, customers, discount
   codes, orders in every status with refunds and reversals, ~4 lines an order);
2. each copy k of it is a batch: per table one `COPY (SELECT ...) TO STDOUT` on a second
   connection streamed into `COPY ... FROM STDIN` (psycopg 3's `cursor.copy()`) on Django's,
   with new ids (orders, items and refunds offset by k times the base's, the rest from their
   sequences), new order numbers, and every timestamp moved back by k x `COPY_SHIFT`. The
   copies keep the base's customers and products, so a customer orders k+1 times as often;
3. the copied tables' plain indexes and foreign keys are dropped for the load and created
   again from their own definitions (`pg_get_indexdef`, `pg_get_constraintdef`) read before,
   then the schema (every index and constraint, partitions included) is compared with the
   one `migrate` made: the database ends as the migrations define it, or the command fails;
4. the rollups are rebuilt from the ledger (`sales_rollup_rebuild`), then VACUUM ANALYZE.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from math import ceil
from time import perf_counter

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, connections, models, transaction
from django.utils import timezone
from psycopg import sql

from orders.ledger import sales_ledger_partitions_ensure, sales_rollup_rebuild
from orders.models import Order, OrderItem, OrderStatusChange, Refund, RefundLine, SalesRecord

from .generator import HISTORY_DAYS, demo_seed

Log = Callable[[str], None]

# How far each copy moves back in time from the one before: less than a day, so the copies keep
# the base's seasons, weekdays and growth, and never a whole day, so they do not stack on its days.
COPY_SHIFT = timedelta(minutes=37)
MAX_SHIFT = timedelta(days=28)  # the oldest copy reaches at most into the month before the history
# The tables a copy writes, parents before children.
COPIED: tuple[type[models.Model], ...] = (
    Order,
    OrderItem,
    OrderStatusChange,
    Refund,
    RefundLine,
    SalesRecord,
)
# Tables whose ids the copies give (others point to them); the rest take their sequence's.
KEPT_IDS: tuple[type[models.Model], ...] = (Order, OrderItem, Refund)


@dataclass
class ScaleResult:
    base_lines: int
    copies: int
    counts: dict[str, int]
    timings: dict[str, float]


@contextmanager
def _timed(timings: dict[str, float], phase: str, log: Log) -> Iterator[None]:
    started = perf_counter()
    log(f"{phase} ...")
    yield
    timings[phase] = perf_counter() - started
    log(f"  {phase}: {timings[phase]:.1f} s")


# ---------------------------------------------------------------------------- the schema


def schema_snapshot() -> set[tuple[str, str, str]]:
    """Every index and constraint of the public schema: (table, name, definition)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.relname, i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public' "
            "UNION ALL "
            "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public'"
        )
        return set(cursor.fetchall())


@dataclass(frozen=True)
class LoadSchema:
    """What the bulk load does without: plain indexes and foreign keys of the copied tables."""

    indexes: list[tuple[str, str]]  # (name, CREATE INDEX ...), in creation order
    foreign_keys: list[tuple[str, str, str]]  # (table, name, definition)

    @classmethod
    def read(cls) -> "LoadSchema":
        tables = [model._meta.db_table for model in COPIED]
        with connection.cursor() as cursor:
            # Top-level indexes only (a partitioned table's own, not its partitions'), that back
            # no constraint (primary keys and unique ones stay: they guard the load).
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                "WHERE t.relname = ANY(%s) AND NOT x.indisunique AND NOT i.relispartition "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid) "
                "ORDER BY i.oid",
                [tables],
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "JOIN pg_class t ON t.oid = c.conrelid "
                "WHERE t.relname = ANY(%s) AND c.contype = 'f' AND c.conparentid = 0 ORDER BY c.oid",
                [tables],
            )
            foreign_keys = cursor.fetchall()
        return cls(indexes=indexes, foreign_keys=foreign_keys)

    def drop(self) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            for table, name, _ in self.foreign_keys:
                cursor.execute(
                    sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                        sql.Identifier(table), sql.Identifier(name)
                    )
                )
            for name, _ in self.indexes:
                cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))

    def create(self, log: Log) -> None:
        """The indexes (in their first creation order, so partitions' index names come out the
        same) and the foreign keys, each validated over the loaded rows."""
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            for name, definition in self.indexes:
                started = perf_counter()
                # A partitioned table's index reads "ON ONLY" (its partitions' indexes are
                # attached one by one); made on the parent, it builds every partition's.
                cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))
                log(f"    index {name}: {perf_counter() - started:.1f} s")
            for table, name, definition in self.foreign_keys:
                cursor.execute(
                    sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
                        sql.Identifier(table), sql.Identifier(name)
                    )
                    + sql.SQL(definition)
                )


# ---------------------------------------------------------------------------- the copies


@dataclass(frozen=True)
class Base:
    """The id ranges of the base history: a copy reads only these rows."""

    last_ids: dict[type[models.Model], int]

    @classmethod
    def read(cls) -> "Base":
        return cls({model: model.objects.aggregate(last=models.Max("id"))["last"] or 0 for model in KEPT_IDS})

    def copy_statements(self, model: type[models.Model], copy: int) -> tuple[sql.Composed, sql.Composed]:
        """(COPY (SELECT ...) TO STDOUT, COPY table (...) FROM STDIN) for copy number `copy`."""
        shift = sql.Literal(f"{int((COPY_SHIFT * copy).total_seconds())} seconds")
        columns, values = [], []
        where = sql.SQL("TRUE")
        for field in model._meta.concrete_fields:
            column = sql.Identifier(field.column)
            value: sql.Composable = column
            if field.primary_key:
                if model not in KEPT_IDS:
                    continue  # a new id from the table's sequence
                value = sql.SQL("{} + {}").format(column, sql.Literal(self.last_ids[model] * copy))
                where = sql.SQL("{} <= {}").format(column, sql.Literal(self.last_ids[model]))
            elif field.is_relation and field.related_model in KEPT_IDS:
                parent = field.related_model
                value = sql.SQL("{} + {}").format(column, sql.Literal(self.last_ids[parent] * copy))
                if parent is (Refund if model is RefundLine else Order):
                    where = sql.SQL("{} <= {}").format(column, sql.Literal(self.last_ids[parent]))
            elif isinstance(field, models.DateTimeField):
                value = sql.SQL("{} - {}::interval").format(column, shift)
            elif model is Order and field.name == "number":
                value = self._order_number(copy, shift)
            columns.append(column)
            values.append(value)
        table = sql.Identifier(model._meta.db_table)
        read = sql.SQL("COPY (SELECT {} FROM {} WHERE {}) TO STDOUT").format(
            sql.SQL(", ").join(values), table, where
        )
        write = sql.SQL("COPY {} ({}) FROM STDIN").format(table, sql.SQL(", ").join(columns))
        return read, write

    def _order_number(self, copy: int, shift: sql.Literal) -> sql.Composed:
        """`SO-<year of placing, SALES_TIME_ZONE>-<id, 6 digits at least>`, as the demo numbers them."""
        new_id = sql.SQL("(id + {})").format(sql.Literal(self.last_ids[Order] * copy))
        return sql.SQL(
            "'SO-' || to_char((created_at - {shift}::interval) AT TIME ZONE {zone}, 'YYYY') || '-' || "
            "CASE WHEN {id} < 1000000 THEN lpad({id}::text, 6, '0') ELSE {id}::text END"
        ).format(shift=shift, zone=sql.Literal(settings.SALES_TIME_ZONE), id=new_id)


def _copy_history(base: Base, copy: int, reader) -> dict[str, int]:
    """One copy of the base history, in one transaction: rows written per table."""
    written = {}
    with transaction.atomic(), connection.cursor() as writer:
        for model in COPIED:
            read, write = base.copy_statements(model, copy)
            with reader.cursor() as source, source.copy(read) as rows, writer.cursor.copy(write) as sink:
                for chunk in rows:
                    sink.write(chunk)
            written[model._meta.db_table] = writer.cursor.rowcount
    return written


# ---------------------------------------------------------------------------- the whole seed


def ledger_scale_seed(
    *, lines: int, customers: int, products: int, base_orders: int, seed: int, log: Log
) -> ScaleResult:
    """Seed an empty, migrated PostgreSQL database with about `lines` ledger rows (see the module)."""
    if connection.vendor != "postgresql":
        raise ValueError("The scale seed copies with PostgreSQL's COPY: set DATABASE_URL to PostgreSQL.")
    if Order.objects.exists():
        raise ValueError("The database already has orders: seed an empty, migrated database.")
    timings: dict[str, float] = {}
    now = timezone.now()
    history_start = now - timedelta(days=HISTORY_DAYS)
    # Copies of a base of `base_orders` (~4 lines an order) until `lines`; the last copy is the
    # oldest, every month it reaches gets its partition before anything is loaded.
    # A small seed is its base alone (a few lines more than asked), with customers in the
    # proportion of the big one (2 orders in 5 are a customer's first, which always succeeds).
    base_orders = min(base_orders, ceil(lines / 3.8))
    customers = min(customers, max(1, base_orders * 2 // 5))
    copies = max(0, ceil(lines / (base_orders * 4)) - 1)
    if COPY_SHIFT * copies > MAX_SHIFT:
        raise ValueError(f"{lines:,} lines need {copies} copies: give a larger base (--base-orders).")
    # The months of the history and the one before (the copies' oldest rows), before the load.
    sales_ledger_partitions_ensure(since=history_start - MAX_SHIFT, now=now)
    migrated = schema_snapshot()
    load_schema = LoadSchema.read()
    load_schema.drop()
    try:
        with _timed(timings, f"base history (demo_seed, {base_orders:,} orders)", log):
            demo_seed(customers=customers, products=products, orders=base_orders, seed=seed, log=log)
        base = Base.read()
        base_lines = SalesRecord.objects.count()
        copies = min(max(0, ceil(lines / max(base_lines, 1)) - 1), MAX_SHIFT // COPY_SHIFT)
        counts = {model._meta.db_table: 0 for model in COPIED}
        with _timed(timings, f"{copies} copies through COPY", log):
            reader = connections.create_connection("default")
            try:
                reader.ensure_connection()
                for copy in range(1, copies + 1):
                    started = perf_counter()
                    for table, rows in _copy_history(base, copy, reader.connection).items():
                        counts[table] += rows
                    log(f"    copy {copy}/{copies}: {perf_counter() - started:.1f} s")
            finally:
                reader.close()
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), list(KEPT_IDS)):
                    cursor.execute(statement)
    finally:
        # Even after a failure the database keeps the schema its migrations define.
        with _timed(timings, "indexes and foreign keys", log):
            load_schema.create(log)
    loaded = schema_snapshot()
    if loaded != migrated:
        missing, extra = sorted(migrated - loaded), sorted(loaded - migrated)
        raise RuntimeError(
            f"The schema differs from the migrated one after the load: {len(missing)} missing, "
            f"e.g. {missing[:3]}; {len(extra)} not made by migrate, e.g. {extra[:3]}"
        )
    log("  schema: every index and constraint as `migrate` made them")
    with _timed(timings, "sales rollups", log), transaction.atomic():
        sales_rollup_rebuild(actor=None)
    with _timed(timings, "vacuum analyze", log), connection.cursor() as cursor:
        for model in (*COPIED, *_rollup_models()):
            cursor.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(model._meta.db_table)))
    totals = {model._meta.db_table: model.objects.count() for model in COPIED}
    return ScaleResult(base_lines=base_lines, copies=copies, counts=totals, timings=timings)


def _rollup_models() -> list[type[models.Model]]:
    from orders.ledger.rollups import SALES_ROLLUP_COLUMNS

    return list(SALES_ROLLUP_COLUMNS)


# ---------------------------------------------------------------------------- partition pruning


def dated_query_plan(months_back: int = 1) -> tuple[str, list[str], int]:
    """EXPLAIN ANALYZE of the drill-down's totals for one whole month (`months_back` before the
    current one): the plan, the partitions it reads, and how many partitions the ledger has."""
    from orders.ledger.partitions import add_months, month_start, sales_ledger_partitions

    start = add_months(month_start(timezone.now()), -months_back)
    statement = (
        "EXPLAIN (ANALYZE, COSTS OFF) SELECT count(*), sum(quantity), sum(revenue), sum(cost), "
        "sum(discount) FROM orders_salesrecord WHERE sold_at >= %s AND sold_at < %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [start, add_months(start, 1)])
        plan = "\n".join(line for (line,) in cursor.fetchall())
    partitions = sales_ledger_partitions()
    read = [name for name in partitions if f" {name} " in f"{plan} ".replace("\n", " ")]
    return plan, read, len(partitions)
