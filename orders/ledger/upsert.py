"""Adding rows to a rollup in one statement: the sales ledger's one piece of hand-written SQL.

The ORM has no "insert, or add to the stored row" (`bulk_create(update_conflicts=True)` can only
overwrite), and an UPDATE per row with a savepointed INSERT for a missing one cost a round trip
and about a millisecond of Python per row: half the CPU of a payment. PostgreSQL and SQLite both
say it as INSERT ... ON CONFLICT DO UPDATE. The rollup tests (orders/tests/test_sales_rollups.py)
run against this, on both.
"""

from collections.abc import Sequence
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Model

# How a column combines a new row with the stored one.
ADD, EARLIEST, LATEST = "add", "earliest", "latest"


def rollup_upsert(
    rollup: type[Model], keys: tuple[str, ...], amounts: tuple[tuple[str, str], ...], rows: Sequence[tuple]
) -> None:
    """Insert `rows` (the `keys` columns' values, then the `amounts` columns') into the rollup,
    or combine each with the stored row of its key: ADD adds, EARLIEST and LATEST keep the
    earlier or later day (a missing day never wins).

    Rows are written in the order given: callers sort them, so two transactions lock shared
    rows in the same order. A concurrent insert of the same key waits on the unique index for
    the other transaction and then adds to its row: concurrent sales add up.
    """
    params: list[Any] = [value for row in rows for value in row]
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(rollup, keys, amounts, len(rows)), params)


@cache
def _upsert_sql(
    rollup: type[Model], keys: tuple[str, ...], amounts: tuple[tuple[str, str], ...], rows: int
) -> str:
    quote = connection.ops.quote_name
    table = quote(rollup._meta.db_table)
    columns = [*keys, *(column for column, _ in amounts)]
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    # The unique index keys a missing category as 0 (see orders.models.ledger).
    target = ", ".join("(COALESCE(category_id, 0))" if key == "category_id" else quote(key) for key in keys)
    combined = []
    for column, how in amounts:
        stored, new = f"{table}.{quote(column)}", f"excluded.{quote(column)}"
        if how == ADD:
            combined.append(f"{quote(column)} = {stored} + {new}")
        else:  # NULL <= day is NULL: a stored NULL takes the new day
            keeps = "<=" if how == EARLIEST else ">="
            kept = f"CASE WHEN {new} IS NULL OR {stored} {keeps} {new} THEN {stored} ELSE {new} END"
            combined.append(f"{quote(column)} = {kept}")
    names, values = ", ".join(quote(column) for column in columns), ", ".join([row] * rows)
    insert = f"INSERT INTO {table} ({names}) VALUES {values}"  # noqa: S608
    return f"{insert} ON CONFLICT ({target}) DO UPDATE SET {', '.join(combined)}"
