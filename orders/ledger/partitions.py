"""The sales ledger partitioned by month on PostgreSQL: one partition per calendar month of
`sold_at` (UTC bounds), made ahead by `sales_ledger_partitions_ensure`, and a DEFAULT partition
that catches a row no month takes and is expected to stay empty (`orders.checks` warns).

Elsewhere (SQLite) the ledger is a plain table and everything here answers "nothing to do".
The table is converted by migration `orders.0014_sales_ledger_partitioned_by_month`, which
uses `sales_ledger_partition` and `month_start` below.
"""

from datetime import UTC, datetime

from django.db import connections, transaction
from django.utils import timezone

LEDGER_TABLE = "orders_salesrecord"
DEFAULT_PARTITION = f"{LEDGER_TABLE}_default"
# Partitions exist this many months past the current one, so a day's sales never wait for one.
MONTHS_AHEAD = 3


def month_start(moment: datetime) -> datetime:
    """The first instant (UTC) of the calendar month (UTC) that `moment` falls in."""
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def add_months(month: datetime, count: int) -> datetime:
    index = month.year * 12 + month.month - 1 + count
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def partition_name(month: datetime) -> str:
    return f"{LEDGER_TABLE}_y{month.year:04d}m{month.month:02d}"


def partition_bounds(month: datetime) -> str:
    """The FOR VALUES clause of a month's partition (literals: DDL takes no parameters)."""
    return f"FOR VALUES FROM ('{month.isoformat()}') TO ('{add_months(month, 1).isoformat()}')"


def sales_ledger_is_partitioned(using: str = "default") -> bool:
    """Whether the ledger table is a partitioned table (False on SQLite and before migrations)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s))",
            [LEDGER_TABLE],
        )
        return bool(cursor.fetchone()[0])


def sales_ledger_partitions(using: str = "default") -> list[str]:
    """The ledger's partitions by name, the months in order and the default last."""
    if not sales_ledger_is_partitioned(using):
        return []
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname = %s, c.relname",
            [LEDGER_TABLE, DEFAULT_PARTITION],
        )
        return [name for (name,) in cursor.fetchall()]


def sales_ledger_default_rows(using: str = "default") -> int | None:
    """Rows in the DEFAULT partition (0 when all is well); None when the ledger is not partitioned."""
    if not sales_ledger_is_partitioned(using):
        return None
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [DEFAULT_PARTITION])
        if not cursor.fetchone()[0]:
            return None
        cursor.execute(f'SELECT count(*) FROM "{DEFAULT_PARTITION}"')  # noqa: S608
        return int(cursor.fetchone()[0])


def sales_ledger_partitions_ensure(
    *, since: datetime | None = None, now: datetime | None = None, using: str = "default"
) -> list[str]:
    """Create the missing monthly partitions of the ledger; return the names of those created.

    The months run from `since`'s (default: the current one) to MONTHS_AHEAD past `now`'s, plus
    every month that has rows in the DEFAULT partition: those rows move into their new month's
    partition, which empties the default again. Idempotent; nothing to do when the ledger is not
    partitioned (SQLite, before migrations). Callers that bulk-load history (seed_demo) call it
    first with `since` so nothing lands in the default partition.

    Its own transaction, or the caller's (seed_demo's, a migration's): a partition is created
    whole or not at all.
    """
    if not sales_ledger_is_partitioned(using):
        return []
    current = month_start(now or timezone.now())
    first = month_start(since) if since is not None else current
    months = {first}
    while (month := add_months(max(months), 1)) <= add_months(current, MONTHS_AHEAD):
        months.add(month)
    created = []
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        # One ensure at a time (the beat task and a command may meet); sales go on meanwhile.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [LEDGER_TABLE])
        cursor.execute(
            f"SELECT DISTINCT date_trunc('month', sold_at AT TIME ZONE 'UTC') FROM \"{DEFAULT_PARTITION}\""  # noqa: S608
        )
        months.update(month.replace(tzinfo=UTC) for (month,) in cursor.fetchall())
        existing = set(sales_ledger_partitions(using))
        for month in sorted(months):
            if partition_name(month) not in existing:
                sales_ledger_partition(cursor, month)
                created.append(partition_name(month))
    return created


def sales_ledger_partition(cursor, month: datetime) -> None:
    """Create the partition of one month, moving its rows out of the DEFAULT partition.

    Built as a plain table first and attached once filled: creating a partition directly would
    fail while the default holds rows of its month. Attaching builds the ledger's indexes on it.
    """
    name = partition_name(month)
    cursor.execute(f'CREATE TABLE "{name}" (LIKE "{LEDGER_TABLE}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)')
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [DEFAULT_PARTITION])
    if cursor.fetchone()[0]:
        cursor.execute(
            f'WITH moved AS (DELETE FROM "{DEFAULT_PARTITION}" WHERE sold_at >= %s AND sold_at < %s '  # noqa: S608
            f'RETURNING *) INSERT INTO "{name}" SELECT * FROM moved',
            [month, add_months(month, 1)],
        )
    cursor.execute(f'ALTER TABLE "{LEDGER_TABLE}" ATTACH PARTITION "{name}" {partition_bounds(month)}')
