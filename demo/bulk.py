"""Bulk loading of demo rows: COPY on PostgreSQL, bulk_create elsewhere, with given timestamps."""

import json
from bisect import bisect_left
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from itertools import accumulate
from random import Random
from typing import Any

from django.db import connection, models

BULK_BATCH_SIZE = 2000


@contextmanager
def historical_timestamps(*timestamp_fields: models.DateTimeField) -> Iterator[None]:
    """Let rows keep the past times we give them.

    `auto_now`/`auto_now_add` fields are set to "now" on every insert, also by
    `bulk_create`; demo history needs its own times, so the flags are off meanwhile.
    """
    flags = [(f, f.auto_now, f.auto_now_add) for f in timestamp_fields]
    for f, _, _ in flags:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in flags:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class Picker:
    """Weighted random choice in O(log n), for choosing among thousands many times."""

    def __init__(self, rng: Random, items: list, weights: list[float]):
        self.rng, self.items = rng, items
        self.cumulative = list(accumulate(weights))

    def pick(self, among: int | None = None):
        """One item; of the first `among` items only, when given."""
        among = len(self.items) if among is None else among
        target = self.rng.random() * self.cumulative[among - 1]
        return self.items[min(bisect_left(self.cumulative, target, 0, among), among - 1)]


def next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(last=models.Max("id"))["last"] or 0) + 1


Row = dict[str, Any]  # {attname: value} of one row to insert


def insert_rows(model: type[models.Model], rows: list[Row]) -> None:
    """Insert rows of `model`, each with the same keys.

    PostgreSQL loads them with COPY, several times faster than bulk_create for millions of
    rows (no model instances, no per-value preparation in Python, no INSERT to parse);
    other databases use bulk_create. Either way no signals, no save(): these are data.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        given_times = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.DateTimeField) and f.attname in rows[0]
        ]
        with historical_timestamps(*given_times):
            model.objects.bulk_create([model(**row) for row in rows], batch_size=BULK_BATCH_SIZE)
        return
    from psycopg.types.json import Jsonb

    given = [model._meta.get_field(attname) for attname in rows[0]]
    # What bulk_create would fill in: the fields' defaults (the database has none of its own).
    defaulted = [f for f in model._meta.concrete_fields if f not in given and not f.primary_key]
    defaults = [f.get_default() for f in defaulted]
    fields = given + defaulted
    json_dumps = {
        position: partial(json.dumps, cls=f.encoder)
        for position, f in enumerate(fields)
        if isinstance(f, models.JSONField)
    }
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            values = [*row.values(), *defaults]
            for position, dumps in json_dumps.items():
                if values[position] is not None:
                    values[position] = Jsonb(values[position], dumps=dumps)
            copy.write_row(values)
