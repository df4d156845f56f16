"""The earlier span a figure is compared with (`compare=`), and what it sold.

`previous_span` shifts the filters' dates: `previous_period` is the span of the same number of
days just before, `previous_year` the same dates a year earlier (29 February -> 28 February).
A span without both a start and an end (all time, or open at one side) has no earlier span.

Each answer costs one query more than without a comparison, or none more: the summary pairs
its queries and the categories and channels read both spans in their one aggregate (`sales`),
each reading the rows of both spans once and summing each span apart. The earlier span's
revenue comes from the same source (rollup or ledger) as today's answer, with the same
filters shifted.
"""

from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import CharField, Count, F, Q, Sum, Value

from analytics.results import Summary
from orders.models import DailyCodeSales, DailyCustomers, Order, OrderStatus, ProductSales, SalesRecord

from .common import ZERO, SalesFilters, _day_start, _ratio, money
from .sources import (
    BOUGHT,
    SOLD,
    _coded,
    _condition,
    _money_source,
    _net_orders,
    _order_source,
    _period,
    _rows,
)

COMPARISONS = ("previous_period", "previous_year")
PERCENT = Decimal("0.1")


def _year_before(day: date) -> date:
    if day.month == 2 and day.day == 29:
        return day.replace(year=day.year - 1, day=28)
    return day.replace(year=day.year - 1)


def previous_span(start: date | None, end: date | None, compare: str) -> tuple[date, date] | None:
    """The earlier span `compare` names for the inclusive days [start, end]; None without both."""
    if compare not in COMPARISONS:
        raise ValueError(f"Unknown comparison {compare!r}.")
    if start is None or end is None:
        return None
    try:
        if compare == "previous_year":
            return _year_before(start), _year_before(end)
        days = (end - start).days + 1
        return start - timedelta(days=days), start - timedelta(days=1)
    except (OverflowError, ValueError):  # before the first day a date can hold: no earlier span
        return None


def previous_filters(filters: SalesFilters, compare: str) -> SalesFilters | None:
    span = previous_span(filters.start, filters.end, compare)
    return None if span is None else replace(filters, start=span[0], end=span[1])


def change_pct(now: Any, previous: Any) -> Decimal | None:
    """(now - previous) / previous x 100 to one decimal; None when previous is zero (or None)."""
    if now is None or not previous:
        return None
    change = (Decimal(str(now)) - Decimal(str(previous))) * 100 / Decimal(str(previous))
    rounded = change.quantize(PERCENT, rounding=ROUND_HALF_UP)
    return rounded if rounded else abs(rounded)  # never "-0.0"


def previous_revenue_by_product(filters: SalesFilters, only: list[int]) -> dict[int, Decimal]:
    """Net revenue of the span per product id of `only` (a ranking's rows), in one query over
    their ProductSales rows (its product index)."""
    rows = _rows(ProductSales, filters).filter(product_id__in=only)
    return {
        product: money(revenue)
        for product, revenue in rows.values("product_id")
        .annotate(revenue=Sum("revenue"))
        .values_list("product_id", "revenue")
    }


def previous_revenue_by_code(filters: SalesFilters) -> dict[str | None, Decimal]:
    """Net revenue of the span per discount code (None: orders without one), in one query, read
    as today's answer reads it: the coded sales (`DailyCodeSales`, or the ledger's coded rows
    under a category or product filter), the span's total from the rollup, the rest (no code)
    the difference."""
    with_code = (
        _coded(_order_source(filters, DailyCodeSales), filters)
        .values(code=F("discount_code__code"))
        .annotate(revenue=Sum("revenue"))
        .values_list("code", "revenue")
    )
    total = (
        _rows(_money_source(filters), filters)
        .annotate(code=Value(None, output_field=CharField()))
        .values("code")
        .annotate(revenue=Sum("revenue"))
        .values_list("code", "revenue")
    )
    by_code: dict[str | None, Decimal] = {}
    for code, revenue in with_code.union(total, all=True):
        by_code[code] = money(revenue)  # the total's row (code None) has no code of its own
    coded = sum((revenue for code, revenue in by_code.items() if code is not None), ZERO)
    by_code[None] = by_code.get(None, ZERO) - coded
    return by_code


def previous_revenue_per_period(filters: SalesFilters, group_by: str) -> dict[date, Decimal]:
    """Net revenue of the span per bucket (its first day), one query."""
    source = _money_source(filters)
    rows = (
        _rows(source, filters)
        .annotate(bucket=_period(source, group_by))
        .values("bucket")
        .annotate(revenue=Sum("revenue"))
        .values_list("bucket", "revenue")
    )
    return {bucket: money(revenue) for bucket, revenue in rows}


def paired_summaries(*, filters: SalesFilters, previous: SalesFilters) -> tuple[Summary, Summary]:
    """The summary of `filters` and of `previous` (the same filters, earlier dates) with as many
    queries as one summary: each reads the rows of both spans once and sums each span apart."""
    spans = (filters, previous)

    source = _money_source(filters)
    within = [_condition(source, span) for span in spans]
    totals = (
        source._default_manager.filter(within[0] | within[1])
        .order_by()
        .aggregate(
            **{
                f"{name}{index}": Sum(column, filter=within[index])
                for index in (0, 1)
                for name, column in (("revenue", "revenue"), ("cost", "cost"), ("units", "quantity"))
            }
        )
    )
    source = _order_source(filters)
    within = [_condition(source, span) for span in spans]
    rows = source._default_manager.filter(within[0] | within[1]).order_by()
    if source is SalesRecord:
        counts = rows.aggregate(
            **{f"orders{index}": _net_orders(source, within[index]) for index in (0, 1)},
            **{
                f"customers{index}": Count("customer_id", distinct=True, filter=SOLD & within[index])
                for index in (0, 1)
            },
        )
    else:
        counts = rows.aggregate(**{f"orders{index}": _net_orders(source, within[index]) for index in (0, 1)})
        buyers = _order_source(filters, DailyCustomers)
        within = [_condition(buyers, span) for span in spans]
        counts |= (
            buyers._default_manager.filter(BOUGHT & (within[0] | within[1]))
            .order_by()
            .aggregate(
                **{
                    f"customers{index}": Count("customer_id", distinct=True, filter=within[index])
                    for index in (0, 1)
                }
            )
        )
    statuses = _paired_status_counts(spans)
    both: list[Summary] = []
    for index in (0, 1):
        revenue, cost = money(totals[f"revenue{index}"]), money(totals[f"cost{index}"])
        orders = counts[f"orders{index}"] or 0
        summary = Summary(
            revenue=revenue,
            cost=cost,
            profit=revenue - cost,
            margin=_ratio(revenue - cost, revenue),
            orders=orders,
            units=totals[f"units{index}"] or 0,
            average_order_value=money(revenue / orders) if orders else ZERO,
            customers=counts[f"customers{index}"] or 0,
            status_counts=statuses[index],
        )
        both.append(summary)
    return both[0], both[1]


def _placed_within(span: SalesFilters) -> Q:
    condition = Q()
    if span.start:
        condition &= Q(created_at__gte=_day_start(span.start))
    if span.end:
        condition &= Q(created_at__lt=_day_start(span.end + timedelta(days=1)))
    return condition


def _paired_status_counts(spans: tuple[SalesFilters, SalesFilters]) -> list[dict[str, int]]:
    """Orders placed per status in each span (date and channel filters only), one query."""
    within = [_placed_within(span) for span in spans]
    orders = Order.objects.filter(within[0] | within[1]).order_by()
    if spans[0].channel_id is not None:
        orders = orders.filter(channel_id=spans[0].channel_id)
    rows = orders.values("status").annotate(
        **{f"count{index}": Count("id", filter=within[index]) for index in (0, 1)}
    )
    counted = [{row["status"]: row[f"count{index}"] for row in rows} for index in (0, 1)]
    return [{status: counts.get(status, 0) for status in OrderStatus.values} for counts in counted]


def with_previous_revenue(
    rows: list[Any], key: str, previous: dict[Any, Decimal] | None
) -> list[dict[str, Any]]:
    """`rows` (with `revenue` and `key`) with the earlier span's revenue of the same key and the
    change in percent; both None without an earlier span, 0.00 and None when it sold nothing."""
    return [
        {
            **row,
            "previous_revenue": None if previous is None else previous.get(row[key], ZERO),
            "change_pct": None
            if previous is None
            else change_pct(row["revenue"], previous.get(row[key], ZERO)),
        }
        for row in rows
    ]
