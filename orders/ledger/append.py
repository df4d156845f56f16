"""Appending to the sales ledger: rows from `orders.ledger.rows`, written with their rollups
in the caller's transaction."""

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q

from orders.models import SalesRecord

from .rollups import sales_rollups_add
from .rows import Row
from .version import sales_ledger_version_bump_on_commit


@transaction.atomic(savepoint=False)
def sales_ledger_append(*, rows: Sequence[Row]) -> list[SalesRecord]:
    """Write sales records and add them to the ledger's rollups in the same transaction.

    Every sale and reversal is written here (seed_demo bulk-loads history, then rebuilds
    the rollups), so a reader sees the ledger and its rollups agree at every commit. Once
    the transaction commits, the ledger version moves on and cached analytics answers are
    computed afresh; a transaction that commits late moves it late, so it is never missed.

    `rows` come from the builders of `orders.ledger.rows`: a payment's or a reversal's. An
    order's sale comes in one call, at one time, and never again; its reversals (refunds, a
    cancellation after payment) may come in several calls, each at one time, the last with
    `reverses_order`. The rollups count an order once on the day it was paid and once on the
    day nothing of it was left sold.
    """
    records = [SalesRecord(**row) for row in rows]
    _check_whole_sales(records)
    written = SalesRecord.objects.bulk_create(records)
    sales_rollups_add(written)
    sales_ledger_version_bump_on_commit()
    return written


def _check_whole_sales(records: Sequence[SalesRecord]) -> None:
    """One time per sale and per reversal of an order, and never a second sale or final reversal."""
    times: dict[tuple[int, bool], Any] = {}
    for sale in records:
        if times.setdefault((sale.order_id, sale.quantity > 0), sale.sold_at) != sale.sold_at:
            raise ValueError(f"Order {sale.order_id}: the rows of one sale or reversal have one time.")
    sold = [order_id for order_id, is_sale in times if is_sale]
    closed = {sale.order_id for sale in records if sale.quantity < 0 and sale.reverses_order}
    if SalesRecord.objects.filter(
        Q(order_id__in=sold, quantity__gt=0) | Q(order_id__in=closed, quantity__lt=0, reverses_order=True)
    ).exists():
        raise ValueError("An order's sale or its final reversal is already in the sales ledger.")
