"""Totals, series and breakdowns of the sales: summary, revenue over time, two periods
compared, per category, per channel, per discount code."""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import Lag, Rank

from analytics.results import (
    CategorySales,
    ChannelSales,
    Comparison,
    DiscountCodeSales,
    PeriodTotals,
    RevenuePeriod,
    Summary,
)
from catalog.models import Category, SalesChannel
from orders.models import DailyCodeSales, Order, OrderStatus, SalesRecord

from .common import (
    MONEY,
    ZERO,
    SalesFilters,
    WindowSum,
    _as_date,
    _day_start,
    _period_start,
    _periods,
    _ratio,
    _rounded,
    money,
)
from .sources import (
    SOLD,
    _buyers,
    _coded,
    _condition,
    _dated_between,
    _money_source,
    _net_orders,
    _net_orders_per,
    _net_totals,
    _order_source,
    _period,
    _rows,
)


def sales_summary(*, filters: SalesFilters) -> Summary:
    totals = _rows(_money_source(filters), filters).aggregate(**_net_totals())
    orders, customers = _orders_and_customers(filters)
    revenue, cost = money(totals["net_revenue"]), money(totals["net_cost"])
    return Summary(
        revenue=revenue,
        cost=cost,
        profit=revenue - cost,
        margin=_ratio(revenue - cost, revenue),
        orders=orders,
        units=totals["net_units"] or 0,
        average_order_value=money(revenue / orders) if orders else ZERO,
        customers=customers,
        status_counts=order_status_counts(filters=filters),
    )


def _orders_and_customers(filters: SalesFilters) -> tuple[int, int]:
    """Net orders and distinct customers with a sale: one ledger query, or one per rollup."""
    source = _order_source(filters)
    if source is SalesRecord:
        counts = _rows(source, filters).aggregate(
            orders=_net_orders(source), customers=Count("customer_id", distinct=True, filter=SOLD)
        )
        return counts["orders"] or 0, counts["customers"]
    orders = _rows(source, filters).aggregate(orders=_net_orders(source))["orders"]
    # COUNT(*) over SELECT DISTINCT: hashes, where COUNT(DISTINCT) sorts (twice as slow here).
    return orders or 0, _buyers(filters)[1].values("customer_id").distinct().count()


def order_status_counts(*, filters: SalesFilters) -> dict[str, int]:
    """Orders placed in the window (by creation time) per status, every status present.

    Only the date and channel filters apply: an order spans products and categories.
    """
    orders = Order.objects.filter(
        Q(created_at__gte=_day_start(filters.start)) if filters.start else Q(),
        Q(created_at__lt=_day_start(filters.end + timedelta(days=1))) if filters.end else Q(),
        Q(channel_id=filters.channel_id) if filters.channel_id is not None else Q(),
    ).order_by()
    counts = dict(orders.values_list("status").annotate(count=Count("id")))
    return {status: counts.get(status, 0) for status in OrderStatus.values}


def revenue_over_time(*, filters: SalesFilters, group_by: str = "month") -> list[RevenuePeriod]:
    """Net revenue per day/week/month/year with a running total and the change vs the previous period.

    The database groups the periods that had sales and computes, with window functions over
    them, the running total (SUM() OVER (ORDER BY period)) and the previous period with sales
    and its revenue (LAG). Empty periods are then filled in Python (no portable ORM way to
    generate a calendar on SQLite and PostgreSQL): a filled period has zeros, carries the
    running total forward, and its change is against the period before it. A period right
    after a gap compares with that empty period (zero) rather than with LAG's value.
    """
    in_period_order = F("period").asc()
    source = _money_source(filters)
    rows = (
        _rows(source, filters)
        .annotate(period=_period(source, group_by))
        .values("period")
        .annotate(**_net_totals())
        .annotate(
            running_total=Window(WindowSum("net_revenue"), order_by=in_period_order),
            previous_period=Window(Lag("period"), order_by=in_period_order),
            previous_revenue=Window(Lag("net_revenue"), order_by=in_period_order),
        )
        .order_by("period")
    )
    by_period = {row["period"]: row for row in rows}
    orders = _net_orders_per(filters, lambda source: _period(source, group_by))
    if not by_period and not filters.start:
        return []
    first = _period_start(filters.start, group_by) if filters.start else min(by_period)
    last = _period_start(filters.end, group_by) if filters.end else max(by_period, default=first)

    series: list[RevenuePeriod] = []
    running_total = ZERO
    for period in _periods(first, last, group_by):
        row = by_period.get(period)
        previous = series[-1] if series else None
        revenue, profit, units = ZERO, ZERO, 0
        if row is not None:
            revenue = money(row["net_revenue"])
            profit, units = revenue - money(row["net_cost"]), row["net_units"]
            running_total = money(row["running_total"])
        change: Decimal | None
        if previous is None:
            change = None
        elif row is not None and _as_date(row["previous_period"]) == previous["period"]:
            change = revenue - money(row["previous_revenue"])
        else:
            change = revenue - previous["revenue"]
        series.append(
            RevenuePeriod(
                period=period,
                revenue=revenue,
                orders=orders.get(period, 0) if row is not None else 0,
                units=units,
                profit=profit,
                running_total=running_total,
                change=change,
            )
        )
    return series


def sales_compare(
    *, filters: SalesFilters, period1: tuple[date, date], period2: tuple[date, date]
) -> Comparison:
    """Two date ranges side by side (money, then orders); period1 is the baseline of the change."""
    source = _money_source(filters)
    in_period1, in_period2 = _dated_between(source, *period1), _dated_between(source, *period2)
    totals = (
        _rows(source, filters)
        .filter(in_period1 | in_period2)
        .aggregate(
            revenue1=Sum("revenue", filter=in_period1),
            units1=Sum("quantity", filter=in_period1),
            revenue2=Sum("revenue", filter=in_period2),
            units2=Sum("quantity", filter=in_period2),
        )
    )
    source = _order_source(filters)
    in_period1, in_period2 = _dated_between(source, *period1), _dated_between(source, *period2)
    totals |= (
        _rows(source, filters)
        .filter(in_period1 | in_period2)
        .aggregate(orders1=_net_orders(source, in_period1), orders2=_net_orders(source, in_period2))
    )
    revenue1, revenue2 = money(totals["revenue1"]), money(totals["revenue2"])
    difference = revenue2 - revenue1
    return Comparison(
        period1=PeriodTotals(
            start=period1[0],
            end=period1[1],
            revenue=revenue1,
            orders=totals["orders1"] or 0,
            units=totals["units1"] or 0,
        ),
        period2=PeriodTotals(
            start=period2[0],
            end=period2[1],
            revenue=revenue2,
            orders=totals["orders2"] or 0,
            units=totals["units2"] or 0,
        ),
        difference=difference,
        change_pct=_rounded(difference * 100 / revenue1, MONEY) if revenue1 else None,
    )


def _ranked_by_revenue(rows: QuerySet) -> QuerySet:
    return rows.annotate(
        total_revenue=Window(WindowSum("net_revenue")),
        rank=Window(Rank(), order_by=F("net_revenue").desc()),
    )


Previous = dict[Any, Decimal] | None  # the earlier span's revenue by row key, None without one


def _grouped_with_previous(
    filters: SalesFilters, previous: SalesFilters | None, key: str, sums: Callable[[Q | None], dict[str, Any]]
) -> QuerySet:
    """The money rows grouped by `key` with `sums` of the span. With `previous` (the same filters,
    earlier dates) the same statement reads the rows of both spans once and also sums the earlier
    span's revenue per key (`previous_revenue`), keeping today's keys only: a second query read
    the rollup again and cost about half as much as the answer."""
    source = _money_source(filters)
    if previous is None:
        return _rows(source, filters).values(key).annotate(**sums(None))
    now, before = _condition(source, filters), _condition(source, previous)
    return (
        source._default_manager.filter(now | before)
        .order_by()
        .values(key)
        .annotate(
            **sums(now), previous_revenue=Sum("revenue", filter=before), rows_now=Count("pk", filter=now)
        )
        .filter(rows_now__gt=0)  # HAVING, before the ranking's windows: a key sold only before is no row
    )


def sales_by_category(*, filters: SalesFilters) -> list[CategorySales]:
    """Net sales per category (the category recorded with the sale), ranked by revenue."""
    return category_sales(filters, None)[0]


def category_sales(
    filters: SalesFilters, previous: SalesFilters | None
) -> tuple[list[CategorySales], Previous]:
    """`sales_by_category`, and with `previous` the earlier span's revenue per category slug."""
    rows = list(
        _ranked_by_revenue(_grouped_with_previous(filters, previous, "category_id", _net_totals)).order_by(
            "rank", "category_id"
        )
    )
    categories = Category.objects.in_bulk([row["category_id"] for row in rows if row["category_id"]])
    result: list[CategorySales] = []
    before: Previous = None if previous is None else {}
    for row in rows:
        category = categories.get(row["category_id"])
        revenue = money(row["net_revenue"])
        result.append(
            CategorySales(
                rank=row["rank"],
                category=category.slug if category else None,
                name=category.name if category else "Uncategorised",
                revenue=revenue,
                units=row["net_units"],
                profit=revenue - money(row["net_cost"]),
                share=_ratio(revenue, money(row["total_revenue"])),
            )
        )
        if before is not None:
            before[result[-1]["category"]] = money(row["previous_revenue"])
    return result, before


def sales_by_channel(*, filters: SalesFilters) -> list[ChannelSales]:
    """Net sales per channel, ranked by revenue."""
    return channel_sales(filters, None)[0]


def channel_sales(
    filters: SalesFilters, previous: SalesFilters | None
) -> tuple[list[ChannelSales], Previous]:
    """`sales_by_channel`, and with `previous` the earlier span's revenue per channel code."""
    rows = list(
        _ranked_by_revenue(
            _grouped_with_previous(
                filters, previous, "channel_id", lambda now: {"net_revenue": Sum("revenue", filter=now)}
            )
        ).order_by("rank", "channel_id")
    )
    orders = _net_orders_per(filters, lambda source: F("channel_id"))
    channels = SalesChannel.objects.in_bulk([row["channel_id"] for row in rows])
    result: list[ChannelSales] = []
    before: Previous = None if previous is None else {}
    for row in rows:
        channel = channels[row["channel_id"]]
        revenue = money(row["net_revenue"])
        result.append(
            ChannelSales(
                rank=row["rank"],
                channel=channel.code,
                name=channel.name,
                revenue=revenue,
                orders=orders.get(row["channel_id"], 0),
                share=_ratio(revenue, money(row["total_revenue"])),
            )
        )
        if before is not None:
            before[channel.code] = money(row["previous_revenue"])
    return result, before


def sales_by_discount_code(*, filters: SalesFilters) -> list[DiscountCodeSales]:
    """Net sales of the orders that carried each discount code (`code` None: orders without
    one), by revenue: net orders, what the discounts took off the units sold, net revenue,
    average order value and revenue share. From the ledger, so refunds count everywhere.

    The coded sales come from `DailyCodeSales` (the ledger's coded rows, through a partial
    index, under a category or product filter); the rest is the window's totals, from the
    rollups, less theirs."""
    source = _order_source(filters, DailyCodeSales)
    with_code = (
        _coded(source, filters)
        .values(code=F("discount_code__code"))
        .annotate(net_revenue=Sum("revenue"), discount=Sum("discount"), orders=_net_orders(source))
    )
    groups = [
        (row["code"], money(row["net_revenue"]), money(row["discount"]), row["orders"] or 0)
        for row in with_code
    ]
    money_source, order_source = _money_source(filters), _order_source(filters)
    totals = _rows(money_source, filters).aggregate(revenue=Sum("revenue"), discount=Sum("discount"))
    total_revenue = money(totals["revenue"])
    total_orders = _rows(order_source, filters).aggregate(orders=_net_orders(order_source))["orders"] or 0
    uncoded_revenue = total_revenue - sum((revenue for _, revenue, _, _ in groups), ZERO)
    uncoded_orders = total_orders - sum(orders for _, _, _, orders in groups)
    if uncoded_revenue or uncoded_orders:
        uncoded_discount = money(totals["discount"]) - sum((discount for _, _, discount, _ in groups), ZERO)
        groups.append((None, uncoded_revenue, uncoded_discount, uncoded_orders))
    groups.sort(key=lambda group: (-group[1], group[0] is not None, group[0] or ""))
    return [
        DiscountCodeSales(
            code=code,
            orders=orders,
            discount=discount,
            revenue=revenue,
            average_order_value=money(revenue / orders) if orders else ZERO,
            share=_ratio(revenue, total_revenue),
        )
        for code, revenue, discount, orders in groups
    ]
