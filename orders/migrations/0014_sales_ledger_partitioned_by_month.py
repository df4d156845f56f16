"""The sales ledger becomes a table partitioned by month of `sold_at` on PostgreSQL.

Hand-written SQL: Django has no partitioned tables, and `django-postgres-extra` would replace the
database backend for one table. SQLite keeps its plain table; Django's model state is unchanged
(its pk stays `id`; in PostgreSQL the primary key is (id, sold_at), because a partitioned table's
unique keys must hold the partition key, and `id` stays unique by its identity sequence).

In the migration's one transaction: the old table is renamed, the partitioned one created like
it with a partition per month of the data, three months ahead and a DEFAULT one, the rows copied
and checked month by month (count and sums), the sequence carried over, the old table dropped,
then its indexes and foreign keys recreated under their names. Reversible the same way.
"""

from datetime import UTC

from django.db import migrations
from django.utils import timezone

from orders.ledger.partitions import (
    DEFAULT_PARTITION,
    LEDGER_TABLE,
    MONTHS_AHEAD,
    add_months,
    month_start,
    partition_bounds,
    partition_name,
)

OLD_TABLE = f"{LEDGER_TABLE}_before"
MONTHLY_SUMS = (
    "SELECT date_trunc('month', sold_at AT TIME ZONE 'UTC') AS month, count(*), sum(quantity), "
    'sum(revenue), sum(cost), sum(discount) FROM "{table}" GROUP BY 1 ORDER BY 1'
)


def _is_partitioned(cursor) -> bool:
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s))", [LEDGER_TABLE]
    )
    return bool(cursor.fetchone()[0])


def _rebuild(cursor, *, partitioned: bool) -> None:
    """Recreate the ledger table, partitioned by month or plain, with the same rows."""
    cursor.execute(f'LOCK TABLE "{LEDGER_TABLE}" IN ACCESS EXCLUSIVE MODE')
    # What the new table needs again, by name: indexes (a partitioned one's say ON ONLY) and
    # foreign keys; the primary key is made anew.
    cursor.execute(
        "SELECT replace(pg_get_indexdef(indexrelid), ' ON ONLY ', ' ON ') FROM pg_index "
        "WHERE indrelid = to_regclass(%s) AND NOT indisprimary",
        [LEDGER_TABLE],
    )
    indexes = [definition for (definition,) in cursor.fetchall()]
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = to_regclass(%s) AND contype IN ('f', 'c', 'p')",
        [LEDGER_TABLE],
    )
    constraints = cursor.fetchall()
    primary_key = next(name for name, kind, _ in constraints if kind == "p")
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [LEDGER_TABLE])
    (sequence,) = cursor.fetchone()

    cursor.execute(f'ALTER TABLE "{LEDGER_TABLE}" RENAME TO "{OLD_TABLE}"')
    cursor.execute(f'ALTER TABLE "{OLD_TABLE}" RENAME CONSTRAINT "{primary_key}" TO "{OLD_TABLE}_pkey"')
    cursor.execute(f'ALTER SEQUENCE {sequence} RENAME TO "{OLD_TABLE}_id_seq"')
    cursor.execute(
        f'CREATE TABLE "{LEDGER_TABLE}" (LIKE "{OLD_TABLE}" INCLUDING DEFAULTS INCLUDING IDENTITY)'
        + (" PARTITION BY RANGE (sold_at)" if partitioned else "")
    )
    key = "id, sold_at" if partitioned else "id"
    cursor.execute(f'ALTER TABLE "{LEDGER_TABLE}" ADD CONSTRAINT "{primary_key}" PRIMARY KEY ({key})')
    if partitioned:
        cursor.execute(
            f"SELECT DISTINCT date_trunc('month', sold_at AT TIME ZONE 'UTC') FROM \"{OLD_TABLE}\""  # noqa: S608
        )
        months = {month_start(month.replace(tzinfo=UTC)) for (month,) in cursor.fetchall()}
        current = month_start(timezone.now())
        months.update(add_months(current, ahead) for ahead in range(MONTHS_AHEAD + 1))
        for month in sorted(months):
            cursor.execute(
                f'CREATE TABLE "{partition_name(month)}" PARTITION OF "{LEDGER_TABLE}" {partition_bounds(month)}'
            )
        cursor.execute(f'CREATE TABLE "{DEFAULT_PARTITION}" PARTITION OF "{LEDGER_TABLE}" DEFAULT')

    cursor.execute(f'INSERT INTO "{LEDGER_TABLE}" SELECT * FROM "{OLD_TABLE}"')  # noqa: S608
    cursor.execute(MONTHLY_SUMS.format(table=OLD_TABLE))
    before = cursor.fetchall()
    cursor.execute(MONTHLY_SUMS.format(table=LEDGER_TABLE))
    if cursor.fetchall() != before:
        raise RuntimeError(
            "The sales ledger's monthly counts or sums changed in the copy; nothing was changed."
        )
    if partitioned:
        cursor.execute(f'SELECT count(*) FROM "{DEFAULT_PARTITION}"')  # noqa: S608
        if cursor.fetchone()[0]:
            raise RuntimeError("Sales records landed in the default partition; nothing was changed.")
    cursor.execute(f'SELECT last_value, is_called FROM "{OLD_TABLE}_id_seq"')  # noqa: S608
    last_value, is_called = cursor.fetchone()
    cursor.execute(
        "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, %s)", [LEDGER_TABLE, last_value, is_called]
    )
    cursor.execute(f'DROP TABLE "{OLD_TABLE}"')

    for definition in indexes:
        cursor.execute(definition)
    for name, kind, definition in constraints:
        if kind != "p":
            cursor.execute(f'ALTER TABLE "{LEDGER_TABLE}" ADD CONSTRAINT "{name}" {definition}')


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if not _is_partitioned(cursor):
            _rebuild(cursor, partitioned=True)


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if _is_partitioned(cursor):
            _rebuild(cursor, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0013_returns"),
    ]

    operations = [
        migrations.RunPython(partition, unpartition, elidable=False),
    ]
