"""System checks of the orders app: the sales rollups hold the days of the current SALES_TIME_ZONE,
and the sales ledger's default partition is empty."""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connections

ROLLUPS_IN_ANOTHER_ZONE = "orders.W001"
LEDGER_DEFAULT_PARTITION_NOT_EMPTY = "orders.W002"


@checks.register(checks.Tags.database)
def sales_rollups_zone_check(
    *, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Warn when the rollups were built for another zone than SALES_TIME_ZONE: their days stay
    those of the old zone, and new sales would add to the new zone's days, until a rebuild.

    A database check (run by `migrate` and `check --database default`), so it queries only the
    databases it is given; before the first migration (no table yet) it says nothing.
    """
    from orders.models import SalesRollupZone  # the app registry is ready when checks run

    warnings: list[checks.CheckMessage] = []
    for alias in databases or ():
        table = SalesRollupZone._meta.db_table
        try:
            with connections[alias].cursor() as cursor:
                if table not in connections[alias].introspection.table_names(cursor):
                    continue
            built_for = (
                SalesRollupZone.objects.using(alias).filter(pk=1).values_list("time_zone", flat=True).first()
            )
        except DatabaseError:  # unreachable or half-migrated: migrate itself will say what is wrong
            continue
        if built_for is not None and built_for != settings.SALES_TIME_ZONE:
            warnings.append(
                checks.Warning(
                    f"The sales rollups were built for {built_for}, but SALES_TIME_ZONE is "
                    f"{settings.SALES_TIME_ZONE}: analytics would count sales on {built_for}'s days.",
                    hint="Run `python manage.py rebuild_sales_rollup` to rebuild them in the days of "
                    f"{settings.SALES_TIME_ZONE}.",
                    obj=alias,
                    id=ROLLUPS_IN_ANOTHER_ZONE,
                )
            )
    return warnings


@checks.register(checks.Tags.database)
def sales_ledger_default_partition_check(
    *, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Warn when sales records sit in the ledger's DEFAULT partition: a month had no partition
    when they were written (the beat task did not run), and every dated query now scans them.

    Silent where the ledger is not partitioned (SQLite, before migrations) or unreachable.
    """
    from orders.ledger.partitions import DEFAULT_PARTITION, sales_ledger_default_rows

    warnings: list[checks.CheckMessage] = []
    for alias in databases or ():
        try:
            rows = sales_ledger_default_rows(alias)
        except DatabaseError:
            continue
        if rows:
            warnings.append(
                checks.Warning(
                    f"{rows:,} sales records are in the ledger's default partition {DEFAULT_PARTITION}, "
                    "which should stay empty: their months have no partition.",
                    hint="Run `python manage.py ensure_partitions`: it makes their months' partitions "
                    "and moves them there.",
                    obj=alias,
                    id=LEDGER_DEFAULT_PARTITION_NOT_EMPTY,
                )
            )
    return warnings
