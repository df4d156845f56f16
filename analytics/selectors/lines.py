"""The drill-down: the sales ledger's own rows behind any figure, newest first, and their totals.

The rows are picked by the same conditions as every other question (`sources._condition`:
the half-open `sold_at` range of the dates, the category with its sub-categories, the channel,
the product), so the totals of any filter are the figures the summary gives for it. A page is
one query (LIMIT/OFFSET over the `(…, sold_at)` index of the filter, walked backwards), the
totals another (the count beside the SUMs, so a page never counts the rows twice), and a
download walks the rows in batches by keyset, never holding more than one batch. The totals
come from the rollups (DailySales, ProductSales for a product), which count the ledger rows
they sum, so they cost the same however many lines match; a customer or a kind, which no
rollup is kept by, reads the ledger (COUNT(*) beside the SUMs).
"""

from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from django.db.models import Count, Model, Q, QuerySet, Sum

from analytics.results import SalesLine, SalesLineTotals
from orders.models import DailySales, ProductSales, SalesRecord

from .common import SalesFilters, money
from .sources import _condition, _rows, _source

LINE_KINDS = ("sale", "reversal")
# The columns of a line as the API names them, read in the page query itself (joins for the
# order's number, the product's SKU, the category's slug, the channel's code).
LINE_VALUES = {
    "id": "id",
    "sold_at": "sold_at",
    "order": "order_id",
    "order_number": "order__number",
    "product": "product_id",
    "sku": "product__sku",
    "category": "category__slug",
    "channel": "channel__code",
    "customer": "customer_id",
    "quantity": "quantity",
    "revenue": "revenue",
    "cost": "cost",
}
NEWEST_FIRST = ("-sold_at", "-id")


@dataclass(frozen=True)
class LineFilters:
    """The common filters plus the two that only lines take: a customer (id) and a kind."""

    sales: SalesFilters
    customer_id: int | None = None
    kind: str | None = None  # one of LINE_KINDS; None: both

    def as_key(self) -> dict[str, Any]:
        return asdict(self)


def _lines(filters: LineFilters) -> QuerySet:
    condition = _condition(SalesRecord, filters.sales)
    if filters.customer_id is not None:
        condition &= Q(customer_id=filters.customer_id)
    if filters.kind == "sale":
        condition &= Q(quantity__gt=0)
    elif filters.kind == "reversal":
        condition &= Q(quantity__lt=0)  # a reversal gives units back: its quantity is negative
    return SalesRecord.objects.filter(condition).order_by()


def _totals_source(filters: LineFilters) -> type[Model]:
    """The rollups count their lines, so they hold the totals of any filter but a customer's or
    a kind's: DailySales (per day, channel, category), ProductSales for a product."""
    rollup = DailySales if filters.sales.product_id is None else ProductSales
    return _source(rollup, exact=filters.customer_id is None and filters.kind is None)


def sales_line_totals(*, filters: LineFilters) -> tuple[int, SalesLineTotals]:
    """How many lines match, and their sums: one aggregate, over a rollup where it can answer,
    else over the lines themselves. The sales alone are every line less the reversals: the
    rollup's totals less the reversals' (a few per cent of the lines, on their partial index),
    instead of summing most of the ledger."""
    if filters.kind == "sale" and filters.customer_id is None:
        every_count, every = sales_line_totals(filters=replace(filters, kind=None))
        reversed_count, reversals = sales_line_totals(filters=replace(filters, kind="reversal"))
        return every_count - reversed_count, SalesLineTotals(
            quantity=every["quantity"] - reversals["quantity"],
            revenue=every["revenue"] - reversals["revenue"],
            cost=every["cost"] - reversals["cost"],
        )
    source = _totals_source(filters)
    rows, count = (
        (_lines(filters), Count("*"))
        if source is SalesRecord
        else (_rows(source, filters.sales), Sum("lines"))
    )
    totals = rows.aggregate(count=count, quantity=Sum("quantity"), revenue=Sum("revenue"), cost=Sum("cost"))
    return totals["count"] or 0, SalesLineTotals(
        quantity=totals["quantity"] or 0, revenue=money(totals["revenue"]), cost=money(totals["cost"])
    )


def _line(values: tuple) -> SalesLine:
    row = dict(zip(LINE_VALUES, values, strict=True))
    return SalesLine(
        id=row["id"],
        sold_at=row["sold_at"],
        kind="reversal" if row["quantity"] < 0 else "sale",
        order=row["order"],
        order_number=row["order_number"],
        product=row["product"],
        sku=row["sku"],
        category=row["category"],
        channel=row["channel"],
        customer=row["customer"],
        quantity=row["quantity"],
        revenue=money(row["revenue"]),  # SQLite hands decimals back as floats
        cost=money(row["cost"]),
    )


def _values(rows: QuerySet) -> QuerySet:
    return rows.values_list(*LINE_VALUES.values())


def sales_lines(*, filters: LineFilters, offset: int = 0, limit: int = 100) -> list[SalesLine]:
    """One page of lines, newest first (ties by id, so pages never overlap)."""
    rows = _lines(filters).order_by(*NEWEST_FIRST)
    return [_line(row) for row in _values(rows)[offset : offset + limit]]


def sales_line_batches(*, filters: LineFilters, batch_size: int = 2000) -> Iterator[list[SalesLine]]:
    """Every line, newest first, `batch_size` at a time: each batch starts below the last one's
    (sold_at, id), so a batch costs the same however deep it is and memory stays one batch."""
    after: tuple[datetime, int] | None = None
    while True:
        rows = _lines(filters)
        if after is not None:
            # sold_at <= last as the index condition, the tie on sold_at settled by id.
            sold_at, pk = after
            rows = rows.filter(Q(sold_at__lte=sold_at) & (Q(sold_at__lt=sold_at) | Q(id__lt=pk)))
        batch = [_line(row) for row in _values(rows.order_by(*NEWEST_FIRST))[:batch_size]]
        if not batch:
            return
        yield batch
        if len(batch) < batch_size:
            return
        after = (batch[-1]["sold_at"], batch[-1]["id"])
