"""Targets' actuals and progress: the metric of each target over its days so far, with its
channel and category filters, computed as `sales_summary` computes it (same sources, same
rounding), so a target's actual equals `summary/` for the same filters.

Many targets cost a bounded number of queries, not one per target: all the targets whose
answer comes from one table are summed in one aggregate, each as its own conditional
`SUM(...) FILTER (WHERE its days, channel, categories)`, `CHUNK` targets at a time. With the
rollups that is at most one query on `DailySales` (revenue, units, profit) and two for orders
(`DailyOrders`, and the ledger for targets with a category) per chunk. Alerts' measures
(`analytics.alerts`) go through the same function; their sold and refunded revenue is one
more query, on the ledger.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Model, Q, Sum

from analytics.models import ReportAlert, Target, TargetMetric
from analytics.targets.formulas import actual_window, progress
from catalog.selectors import CategoryTree
from orders.models import SalesRecord

from .common import SalesFilters, money
from .sources import SOLD, _condition, _money_source, _net_orders, _order_source

SOLD_AND_REFUNDED = ("sold", "refunded")
CHUNK = 50  # conditional sums per statement: keeps one statement readable for the planner


@dataclass(frozen=True)
class Measure:
    """One metric over filtered days: what a target's actual (or an alert's value) asks."""

    # revenue, units, profit, cost, orders (net, as the summary's); sold and refunded: the
    # revenue of the ledger's sale rows, and what its reversal rows (refunds, cancellations
    # after payment) gave back, from the ledger itself
    metric: str
    filters: SalesFilters


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for at in range(0, len(items), CHUNK):
        yield items[at : at + CHUNK]


def measures_total(asked: Sequence[Measure]) -> list[Decimal | int]:
    """Each measure's value, in order: money rounded to cents, units and orders as integers.
    A measure asked twice (two targets alike, an alert's revenue for its margin) is summed once."""
    measures = list(dict.fromkeys(asked))
    values: list[Decimal | int] = [0] * len(measures)
    by_source: dict[type[Model], list[int]] = defaultdict(list)
    for index, measure in enumerate(measures):
        if measure.metric == TargetMetric.ORDERS:
            by_source[_order_source(measure.filters)].append(index)
        elif measure.metric in SOLD_AND_REFUNDED:  # the rollups hold net sums only
            by_source[SalesRecord].append(index)
        else:
            by_source[_money_source(measure.filters)].append(index)
    for source, indexes in by_source.items():
        for chunk in _chunks(indexes):
            conditions = {index: _condition(source, measures[index].filters) for index in chunk}
            sums: dict[str, Any] = {}
            for index, within in conditions.items():
                if measures[index].metric == TargetMetric.ORDERS:
                    sums[f"orders_{index}"] = _net_orders(source, within)
                elif measures[index].metric in SOLD_AND_REFUNDED:
                    sums[f"sold_{index}"] = Sum("revenue", filter=within & SOLD)
                    sums[f"refunded_{index}"] = Sum("revenue", filter=within & Q(quantity__lt=0))
                else:
                    sums[f"revenue_{index}"] = Sum("revenue", filter=within)
                    sums[f"cost_{index}"] = Sum("cost", filter=within)
                    sums[f"units_{index}"] = Sum("quantity", filter=within)
            anywhere = reduce(or_, conditions.values(), Q(pk__in=[]))
            row = source._default_manager.filter(anywhere).order_by().aggregate(**sums)
            for index in chunk:
                values[index] = _value(measures[index].metric, row, index)
    by_measure = dict(zip(measures, values, strict=True))
    return [by_measure[measure] for measure in asked]


def _value(metric: str, row: dict[str, Any], index: int) -> Decimal | int:
    if metric == TargetMetric.ORDERS:
        return row[f"orders_{index}"] or 0
    if metric == TargetMetric.UNITS:
        return row[f"units_{index}"] or 0
    if metric == "sold":
        return money(row[f"sold_{index}"])
    if metric == "refunded":  # reversal rows are negative: what was given back, as a positive sum
        return money(-(row[f"refunded_{index}"] or 0))
    revenue, cost = money(row[f"revenue_{index}"]), money(row[f"cost_{index}"])
    return {"revenue": revenue, "cost": cost, "profit": revenue - cost}[metric]


def target_filters(target: Target | ReportAlert, start: date, end: date) -> SalesFilters:
    """A target's (or an alert's) filters over [start, end], its category with its
    sub-categories as the summary's `category` filter takes it."""
    category_ids = None
    if target.category_id is not None:
        category_ids = tuple(sorted(CategoryTree.current().descendant_ids(target.category_id)))
    return SalesFilters(start=start, end=end, category_ids=category_ids, channel_id=target.channel_id)


def targets_list() -> list[Target]:
    return list(Target.objects.select_related("channel", "category").order_by("start", "id"))


def target_progress(*, targets: Sequence[Target], as_of: date) -> list[dict[str, Any]]:
    """Per target: its fields, `actual` over start..min(as_of, end), and its progress
    (`analytics.targets.formulas`). Nothing has sold before the start: no query for those."""
    counted = [(target, actual_window(target.start, target.end, as_of)) for target in targets]
    asked = [(target, window) for target, window in counted if window is not None]
    totals = measures_total(
        [Measure(target.metric, target_filters(target, *window)) for target, window in asked]
    )
    actuals = {target.pk: Decimal(total) for (target, _), total in zip(asked, totals, strict=True)}
    rows = []
    for target in targets:
        actual = money(actuals.get(target.pk, 0))
        figures = progress(
            amount=target.amount, actual=actual, start=target.start, end=target.end, as_of=as_of
        )
        rows.append(
            {
                "id": target.pk,
                "name": target.name,
                "metric": target.metric,
                "start": target.start,
                "end": target.end,
                "channel": target.channel.code if target.channel else None,
                "category": target.category.slug if target.category else None,
                "amount": money(target.amount),
                "actual": actual,
                "attainment": figures.attainment,
                "expected": figures.expected,
                "pace": figures.pace,
                "projected": figures.projected,
                # for the page, which names them (the API gives the code and the slug)
                "channel_name": target.channel.name if target.channel else None,
                "category_name": target.category.name if target.category else None,
            }
        )
    return rows


def targets_matching(
    *, metric: str, channel_id: int | None, category_id: int | None, start: date | None, end: date | None
) -> list[Target]:
    """The targets of `metric` with exactly these channel and category filters whose span
    overlaps [start, end] (open ends: any)."""
    targets = Target.objects.filter(
        Q(channel__isnull=True) if channel_id is None else Q(channel_id=channel_id),
        Q(category__isnull=True) if category_id is None else Q(category_id=category_id),
        metric=metric,
    )
    if start is not None:
        targets = targets.filter(end__gte=start)
    if end is not None:
        targets = targets.filter(start__lte=end)
    return list(targets.order_by("start", "id"))
