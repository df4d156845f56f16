"""The questions managers ask of the sales ledger, one function each.

Everything is computed in the database from `orders.SalesRecord` (one row per paid order
line, a negative row for each line of a refund or a cancellation after payment), with the
catalog only for names and for the active products that sold nothing. Unpaid and cancelled
orders never reach the ledger, so they never count.

Where the numbers come from: the ledger has a million rows in a big shop, so the answers
are read from its rollups (`orders.DailySales`, `DailyOrders`, `DailyCustomers`,
`ProductSales`), which orders keeps exact in the transaction of every sale and reversal,
whenever they hold the answer exactly; otherwise from the ledger:
- units, revenue, cost: `DailySales` (per UTC day, channel and category), unless a
  product is asked for;
- orders and customers: `DailyOrders` and `DailyCustomers` (per day and channel), unless
  a category or product is asked for: distinct orders and customers do not add up across
  categories, and those filters make the ledger query selective;
- per product (rankings, category leaders): `ProductSales`, always: its month rows for
  the whole months in the dates, its day rows for the days at either end.

Definitions (also in the OpenAPI schema):
- revenue, cost, units are net of reversals; profit = revenue - cost, from the cost snapshots.
- orders = distinct orders with a sale in the window minus distinct orders with a reversal in
  the window. It is additive (the periods of a series add up to the summary) and an order
  sold and refunded in the same window counts zero.
- customers = distinct customers with a sale in the window.
- share and margin are fractions rounded to 4 places (0.2500 is 25 %); change_pct is a
  percentage rounded to 2 places. Money is rounded to cents.

Date filters are inclusive calendar days in UTC, applied as a half-open range on `sold_at`
so the (…, sold_at) indexes serve them.
"""

import heapq
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DateField,
    DecimalField,
    Expression,
    F,
    FilteredRelation,
    Func,
    Max,
    Min,
    Model,
    Q,
    QuerySet,
    RowRange,
    Sum,
    Value,
    Window,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import (
    Coalesce,
    Lag,
    Ntile,
    Rank,
    TruncDate,
    TruncDay,
    TruncMonth,
    TruncWeek,
    TruncYear,
)
from django.db.models.functions.datetime import TruncBase
from django.utils import timezone

from catalog.models import Category, Product, ProductStatus, SalesChannel
from orders.models import (
    CustomerSales,
    DailyCustomers,
    DailyOrders,
    DailySales,
    Order,
    OrderStatus,
    ProductSales,
    SalesRecord,
)

from .results import (
    AbcProduct,
    CategoryLeader,
    CategorySales,
    ChannelSales,
    Cohort,
    CohortMonth,
    Comparison,
    CustomerPeriod,
    Dashboard,
    DiscountCodeSales,
    InventoryProduct,
    PeriodTotals,
    ProductRank,
    RevenuePeriod,
    Rfm,
    RfmCustomer,
    RfmSegment,
    Summary,
)

MONEY = Decimal("0.01")
RATIO = Decimal("0.0001")
ZERO = Decimal("0.00")

RANKING_METRICS = ("revenue", "units")
TRUNCATIONS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth, "year": TruncYear}
GROUPINGS = tuple(TRUNCATIONS)


class OfDates(TruncBase):
    """A truncation of a date column. On PostgreSQL Django's casts each date to a timestamp
    with time zone, and the zone lookup costs about 15 % of a grouping of the daily rollups'
    240,000 rows; a plain timestamp gives the same day at no such cost."""

    def as_postgresql(self, compiler, connection):
        sql, params = compiler.compile(self.lhs)
        return f"DATE_TRUNC(%s, ({sql})::timestamp)::date", (self.kind, *params)


class DaysOfDates(OfDates, TruncDay):
    pass


class WeeksOfDates(OfDates, TruncWeek):
    pass


class MonthsOfDates(OfDates, TruncMonth):
    pass


class YearsOfDates(OfDates, TruncYear):
    pass


DATE_TRUNCATIONS = {"day": DaysOfDates, "week": WeeksOfDates, "month": MonthsOfDates, "year": YearsOfDates}
# A series longer than this is a mistake (daily over decades), not a report.
MAX_PERIODS = 3700
CustomerMonths = dict[tuple[int, int], int]  # customers per (cohort, month), months by _month_index

SOLD = Q(quantity__gt=0)
BOUGHT = Q(orders_sold__gt=0)  # a DailyCustomers row of a day with a paid order, not only refunds
REVERSED = Q(quantity__lt=0, reverses_order=True)  # partial refunds leave the order counted


@dataclass(frozen=True)
class SalesFilters:
    """The common filters, validated (see analytics.forms). None means "any"."""

    start: date | None = None
    end: date | None = None
    category_ids: tuple[int, ...] | None = None
    channel_id: int | None = None
    product_id: int | None = None

    def as_key(self) -> dict[str, Any]:
        return asdict(self)


class WindowSum(Func):
    """SUM(...) usable as a window over an aggregate, e.g. SUM(SUM(revenue)) OVER ().

    Django's Sum refuses an aggregate as its argument even inside Window(); SQL allows it
    because window functions run after GROUP BY.
    """

    function = "SUM"
    window_compatible = True


def _rounded(value: Decimal, places: Decimal) -> Decimal:
    rounded = value.quantize(places, rounding=ROUND_HALF_UP)
    return rounded if rounded else abs(rounded)  # never "-0.00"


def money(value: Any) -> Decimal:
    """A database sum as cents; SQLite hands decimals back as floats."""
    return _rounded(Decimal(str(value or 0)), MONEY)


def _ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    return _rounded(part / whole, RATIO) if whole else None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _sold_between(start: date | None, end: date | None, prefix: str = "") -> Q:
    condition = Q()
    if start:
        condition &= Q(**{f"{prefix}sold_at__gte": _day_start(start)})
    if end:
        condition &= Q(**{f"{prefix}sold_at__lt": _day_start(end + timedelta(days=1))})
    return condition


def _source(rollup: type[Model], *, exact: bool) -> type[Model]:
    """The rollup when it holds the answer exactly, else the ledger itself."""
    return rollup if exact else SalesRecord


def _money_source(filters: SalesFilters) -> type[Model]:
    """Where units, revenue and cost come from: DailySales is keyed by day, channel, category."""
    return _source(DailySales, exact=filters.product_id is None)


def _order_source(filters: SalesFilters, rollup: type[Model] = DailyOrders) -> type[Model]:
    """Where net orders (or, with DailyCustomers, customers) come from: distinct counts do
    not add up across categories or products, so those filters read the ledger."""
    return _source(rollup, exact=filters.product_id is None and filters.category_ids is None)


def _product_source() -> type[Model]:
    """Where per-product sales come from: ProductSales answers every product question exactly."""
    return _source(ProductSales, exact=True)


def _days_between(field: str, start: date | None, end: date | None) -> Q:
    condition = Q()
    if start:
        condition &= Q(**{f"{field}__gte": start})
    if end:
        condition &= Q(**{f"{field}__lte": end})
    return condition


def _product_sales_between(start: date | None, end: date | None, prefix: str = "") -> Q:
    """ProductSales rows that add up to exactly the days [start, end]: the month rows of
    the whole months inside, the day rows of the days before and after them."""
    day, whole_month = f"{prefix}day", f"{prefix}whole_month"
    months_from = start if start is None or start.day == 1 else _next_period(start.replace(day=1), "month")
    months_until = None  # the first day after the last whole month
    if end is not None:
        day_after = end + timedelta(days=1)
        months_until = day_after if day_after.day == 1 else end.replace(day=1)
    day_rows = Q(**{whole_month: False})
    if months_from and months_until and months_from >= months_until:  # not one whole month
        return day_rows & _days_between(day, start, end)
    rows = Q(**{whole_month: True})
    if months_from:
        rows &= Q(**{f"{day}__gte": months_from})
    if months_until:
        rows &= Q(**{f"{day}__lt": months_until})
    if start and months_from and start < months_from:
        rows |= day_rows & _days_between(day, start, months_from - timedelta(days=1))
    if end and months_until and months_until <= end:
        rows |= day_rows & _days_between(day, months_until, end)
    return rows


def _dated_between(source: type[Model], start: date | None, end: date | None, prefix: str = "") -> Q:
    """Rows of the ledger or of a rollup dated within the inclusive days [start, end]."""
    if source is SalesRecord:
        return _sold_between(start, end, prefix)
    if source is ProductSales:
        return _product_sales_between(start, end, prefix)
    return _days_between(f"{prefix}day", start, end)


def _condition(source: type[Model], filters: SalesFilters, prefix: str = "") -> Q:
    condition = _dated_between(source, filters.start, filters.end, prefix)
    if filters.category_ids is not None:
        condition &= Q(**{f"{prefix}category_id__in": filters.category_ids})
    if filters.channel_id is not None:
        condition &= Q(**{f"{prefix}channel_id": filters.channel_id})
    if filters.product_id is not None:
        condition &= Q(**{f"{prefix}product_id": filters.product_id})
    return condition


def _rows(source: type[Model], filters: SalesFilters) -> QuerySet:
    # order_by() drops the model's default ordering, which would otherwise join GROUP BY.
    return source._default_manager.filter(_condition(source, filters)).order_by()


def _period(source: type[Model], group_by: str) -> Expression:
    """The first day of the period a row falls in, as a date."""
    if source is SalesRecord:
        return TRUNCATIONS[group_by]("sold_at", tzinfo=UTC, output_field=DateField())
    return DATE_TRUNCATIONS[group_by]("day")


def _as_date(value: date | datetime | None) -> date | None:
    """A period read back through a window function is a timestamp on PostgreSQL."""
    return value.date() if isinstance(value, datetime) else value


def _net_orders(source: type[Model], within: Q | None = None) -> Expression:
    if source is SalesRecord:
        within = within or Q()
        return Count("order_id", distinct=True, filter=SOLD & within) - Count(
            "order_id", distinct=True, filter=REVERSED & within
        )
    return Sum("orders_sold", filter=within) - Sum("orders_reversed", filter=within)


def _net_orders_per(filters: SalesFilters, group: Callable[[type[Model]], Combinable]) -> dict[Any, int]:
    """Net orders per value of `group` (a period, a channel)."""
    source = _order_source(filters)
    return dict(
        _rows(source, filters)
        .annotate(group=group(source))
        .values("group")
        .annotate(orders=_net_orders(source))
        .values_list("group", "orders")
    )


def _net_totals() -> dict[str, Any]:
    """The ledger and the rollups name these columns alike."""
    return {"net_revenue": Sum("revenue"), "net_cost": Sum("cost"), "net_units": Sum("quantity")}


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


def _product_totals(filters: SalesFilters, *, with_unsold: bool) -> QuerySet:
    """Per product: net revenue, cost and units in the window (`values` rows). Starts from the
    catalog and LEFT JOINs the window's sales (FilteredRelation); `with_unsold` also lists the
    active products (in the category filter) that sold nothing at all."""
    zero_money = Value(ZERO, output_field=DecimalField(max_digits=16, decimal_places=2))
    source = _product_source()
    relation = "sales_records" if source is SalesRecord else "rollup_sales"
    products = Product.objects.annotate(
        window_sales=FilteredRelation(relation, condition=_condition(source, filters, f"{relation}__"))
    ).order_by()
    if filters.product_id is not None:
        products = products.filter(pk=filters.product_id)
    listed = Q(sales_lines__gt=0)
    if with_unsold:
        unsold_but_listed = Q(status=ProductStatus.ACTIVE)
        if filters.category_ids is not None:
            unsold_but_listed &= Q(category_id__in=filters.category_ids)
        listed |= unsold_but_listed
    return (
        products.values("id", "sku", "name", "status")
        .annotate(
            sales_lines=Count("window_sales"),
            net_revenue=Coalesce(Sum("window_sales__revenue"), zero_money),
            net_cost=Coalesce(Sum("window_sales__cost"), zero_money),
            net_units=Coalesce(Sum("window_sales__quantity"), 0),
        )
        .filter(listed)
    )


def _product_ranking(*, filters: SalesFilters, by: str, limit: int, lowest_first: bool) -> list[ProductRank]:
    """Products ranked by net revenue or units in the window.

    Starts from the catalog and LEFT JOINs the window's sales (FilteredRelation), so the
    lowest sellers include active products that sold nothing at all.
    """
    metric = F("net_revenue" if by == "revenue" else "net_units")
    rows = (
        _product_totals(filters, with_unsold=lowest_first)
        .annotate(
            total_revenue=Window(WindowSum("net_revenue")),
            rank=Window(Rank(), order_by=metric.asc() if lowest_first else metric.desc()),
        )
        .order_by("rank", "sku")[:limit]
    )
    ranking = []
    for row in rows:
        revenue = money(row["net_revenue"])
        ranking.append(
            ProductRank(
                rank=row["rank"],
                product=row["id"],
                sku=row["sku"],
                name=row["name"],
                units=row["net_units"],
                revenue=revenue,
                profit=revenue - money(row["net_cost"]),
                share=_ratio(revenue, money(row["total_revenue"])),
            )
        )
    return ranking


def top_products(*, filters: SalesFilters, by: str = "revenue", limit: int = 10) -> list[ProductRank]:
    """Best sellers: RANK() by `by` descending (ties share a rank: 1, 1, 3), share of the total."""
    return _product_ranking(filters=filters, by=by, limit=limit, lowest_first=False)


def bottom_products(*, filters: SalesFilters, by: str = "revenue", limit: int = 10) -> list[ProductRank]:
    """Lowest sellers, rank 1 the lowest, including active products without a sale in the window."""
    return _product_ranking(filters=filters, by=by, limit=limit, lowest_first=True)


def _period_start(day: date, group_by: str) -> date:
    if group_by == "week":
        return day - timedelta(days=day.weekday())  # ISO weeks start on Monday, as TruncWeek does
    if group_by == "month":
        return day.replace(day=1)
    if group_by == "year":
        return day.replace(month=1, day=1)
    return day


def _next_period(period: date, group_by: str) -> date:
    if group_by == "week":
        return period + timedelta(days=7)
    if group_by == "month":
        return (period + timedelta(days=32)).replace(day=1)
    if group_by == "year":
        return period.replace(year=period.year + 1)
    return period + timedelta(days=1)


def _periods(first: date, last: date, group_by: str) -> list[date]:
    periods: list[date] = []
    period = first
    while period <= last:
        if len(periods) == MAX_PERIODS:
            raise ValidationError(
                {
                    "group_by": [
                        f"More than {MAX_PERIODS} periods: group by a longer period or shorten the dates."
                    ]
                }
            )
        periods.append(period)
        period = _next_period(period, group_by)
    return periods


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


def sales_by_category(*, filters: SalesFilters) -> list[CategorySales]:
    """Net sales per category (the category recorded with the sale), ranked by revenue."""
    rows = list(
        _ranked_by_revenue(
            _rows(_money_source(filters), filters).values("category_id").annotate(**_net_totals())
        ).order_by("rank", "category_id")
    )
    categories = Category.objects.in_bulk([row["category_id"] for row in rows if row["category_id"]])
    result = []
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
    return result


def sales_by_channel(*, filters: SalesFilters) -> list[ChannelSales]:
    """Net sales per channel, ranked by revenue."""
    rows = list(
        _ranked_by_revenue(
            _rows(_money_source(filters), filters).values("channel_id").annotate(net_revenue=Sum("revenue"))
        ).order_by("rank", "channel_id")
    )
    orders = _net_orders_per(filters, lambda source: F("channel_id"))
    channels = SalesChannel.objects.in_bulk([row["channel_id"] for row in rows])
    result = []
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
    return result


def category_leaders(*, filters: SalesFilters, limit: int = 3) -> list[CategoryLeader]:
    """The top `limit` products by revenue inside each category (ties included).

    RANK() OVER (PARTITION BY category ORDER BY revenue DESC), filtered on the rank;
    Django (>= 4.2) wraps the windowed query in a subquery to filter on it.
    """
    rows = list(
        _rows(_product_source(), filters)
        .values("category_id", "product_id")
        .annotate(net_revenue=Sum("revenue"), net_units=Sum("quantity"))
        .annotate(rank=Window(Rank(), partition_by=F("category_id"), order_by=F("net_revenue").desc()))
        .filter(rank__lte=limit)
        .order_by("category_id", "rank", "product_id")
    )
    categories = Category.objects.in_bulk([row["category_id"] for row in rows if row["category_id"]])
    products = Product.objects.only("sku", "name").in_bulk([row["product_id"] for row in rows])
    result = []
    for row in rows:
        category, product = categories.get(row["category_id"]), products[row["product_id"]]
        result.append(
            CategoryLeader(
                category=category.slug if category else None,
                category_name=category.name if category else "Uncategorised",
                rank=row["rank"],
                product=product.pk,
                sku=product.sku,
                name=product.name,
                revenue=money(row["net_revenue"]),
                units=row["net_units"],
            )
        )
    result.sort(
        key=lambda leader: (
            leader["category"] is None,
            leader["category_name"],
            leader["rank"],
            leader["sku"],
        )
    )
    return result


def sales_by_discount_code(*, filters: SalesFilters) -> list[DiscountCodeSales]:
    """Net sales of the orders that carried each discount code (`code` None: orders without
    one), by revenue: net orders, what the discounts took off the units sold, net revenue,
    average order value and revenue share. From the ledger, so refunds count everywhere.

    Only the orders with a code are grouped on the ledger (found through the orders' code
    index); the rest is the window's totals, from the rollups, less theirs."""
    with_code = (
        _rows(SalesRecord, filters)
        .filter(order__discount_code__isnull=False)
        .values(code=F("order__discount_code__code"))
        .annotate(net_revenue=Sum("revenue"), discount=Sum("discount"), orders=_net_orders(SalesRecord))
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


ABC_METRICS = ("revenue", "profit", "units")
# Class A carries the first 80 % of the value, B the next 15 %, C the rest and the zero sellers.
ABC_LIMITS = ((Decimal("0.80"), "A"), (Decimal("0.95"), "B"))


def abc_analysis(*, filters: SalesFilters, by: str = "revenue") -> list[AbcProduct]:
    """Every active product (and any other that sold in the window) by its value, with its
    share and the cumulative share: SUM(value) OVER (ORDER BY value DESC ROWS UNBOUNDED
    PRECEDING) divided by the total. Up to 80 % cumulative is A, up to 95 % B, the rest C;
    a product that brought nothing (or less) is C."""
    value = {
        "revenue": F("net_revenue"),
        "profit": F("net_revenue") - F("net_cost"),
        "units": F("net_units"),
    }[by]
    in_value_order = [F("value").desc(), F("sku").asc()]
    rows = (
        _product_totals(filters, with_unsold=True)
        .annotate(value=value)
        .annotate(
            total=Window(WindowSum("value")),
            cumulative=Window(WindowSum("value"), order_by=in_value_order, frame=RowRange(start=None, end=0)),
            rank=Window(Rank(), order_by=F("value").desc()),
        )
        .order_by("rank", "sku")
    )
    result = []
    for row in rows:
        amount, total = Decimal(row["value"]), Decimal(row["total"] or 0)
        cumulative_share = _ratio(Decimal(row["cumulative"]), total) if total > 0 else None
        grade = "C"
        if amount > 0 and cumulative_share is not None:
            grade = next((name for limit, name in ABC_LIMITS if cumulative_share <= limit), "C")
        product: AbcProduct = {
            "rank": row["rank"],
            "product": row["id"],
            "sku": row["sku"],
            "name": row["name"],
            "value": money(amount),
            "share": _ratio(amount, total) if total > 0 else None,
            "cumulative_share": cumulative_share,
            "class": grade,
        }
        result.append(product)
    return result


INVENTORY_STATES = ("reorder", "ok", "overstock", "dead")
OVERSTOCK_FACTOR = 4  # cover beyond this many times (lead + safety) days is overstock


def inventory_insight(
    *, filters: SalesFilters, window_days: int, lead_days: int, safety_days: int, state: str | None = None
) -> list[InventoryProduct]:
    """Every active product's stock against its sales over the window (`filters` hold the
    window's days): units per day, days of cover, the reorder point (the units sold during
    lead and safety days) and what to order to cover twice that. States: `reorder` (stock at
    or below the reorder point), `overstock` (cover beyond 4 x (lead + safety) days), `dead`
    (stock but no sale in the window), else `ok`. Ordered by days of cover, shortest first."""
    rows = (
        _product_totals(filters, with_unsold=True)
        .filter(status=ProductStatus.ACTIVE)
        .annotate(on_hand=Coalesce(F("stock__quantity"), 0))
        .values("id", "sku", "name", "on_hand", "net_units")
    )
    horizon = lead_days + safety_days
    result = []
    for row in rows:
        stock, sold = row["on_hand"], max(row["net_units"], 0)
        per_day = Decimal(sold) / window_days
        reorder_point = math.ceil(per_day * horizon)
        cover = _rounded(Decimal(stock) / per_day, MONEY) if per_day else None
        if sold == 0 and stock > 0:
            product_state = "dead"
        elif stock <= reorder_point:
            product_state = "reorder"
        elif cover is not None and cover > OVERSTOCK_FACTOR * horizon:
            product_state = "overstock"
        else:
            product_state = "ok"
        if state is not None and product_state != state:
            continue
        result.append(
            InventoryProduct(
                product=row["id"],
                sku=row["sku"],
                name=row["name"],
                stock=stock,
                units_per_day=_rounded(per_day, RATIO),
                days_of_cover=cover,
                reorder_point=reorder_point,
                suggested_order=max(0, math.ceil(per_day * 2 * horizon) - stock)
                if product_state == "reorder"
                else 0,
                state=product_state,
            )
        )
    # No sales: cover is unbounded, so those come last (dead stock among them).
    result.sort(key=lambda p: (p["days_of_cover"] is None, p["days_of_cover"] or 0, p["sku"]))
    return result


def _buyers(filters: SalesFilters) -> tuple[type[Model], QuerySet]:
    """Who bought when: the DailyCustomers rollup (a row per buyer, day and channel) unless a
    category or product is filtered, else the ledger's sales."""
    source = _order_source(filters, DailyCustomers)
    return source, _rows(source, filters).filter(SOLD if source is SalesRecord else BOUGHT)


def _day(source: type[Model]) -> TruncDate | F:
    """A row's UTC day, as a date."""
    return TruncDate("sold_at", tzinfo=UTC) if source is SalesRecord else F("day")


def _up_to(end: date | None, filters: SalesFilters) -> SalesFilters:
    """The same category, channel and product filters over all history until `end`: a
    customer's first purchase and their recency, frequency and value look before the window."""
    return SalesFilters(
        end=end,
        category_ids=filters.category_ids,
        channel_id=filters.channel_id,
        product_id=filters.product_id,
    )


def _first_purchases(filters: SalesFilters) -> tuple[QuerySet, Aggregate]:
    """Rows to group per customer, and the aggregate of their first day with a paid sale
    ever under the same category, channel and product filters: CustomerSales (a row per
    customer and channel) unless a category or product is filtered, else the ledger."""
    if _order_source(filters, CustomerSales) is SalesRecord:
        return _buyers(_up_to(None, filters))[1].values("customer_id"), Min(_day(SalesRecord))
    return _customer_sales(filters).filter(first_day__isnull=False).values("customer_id"), Min("first_day")


def _customer_sales(filters: SalesFilters) -> QuerySet:
    """CustomerSales rows of the channel filtered, if any: they hold no category or product."""
    rows = CustomerSales.objects.order_by()
    return rows if filters.channel_id is None else rows.filter(channel_id=filters.channel_id)


def customer_summary(
    *, filters: SalesFilters, group_by: str = "month", months: Callable[[], CustomerMonths] | None = None
) -> list[CustomerPeriod]:
    """Per period: customers with a paid sale, how many of them bought for the first time
    (new) and how many had bought before (returning), the repeat rate (returning / customers)
    and net revenue per customer.

    By whole months, the cohort counts (`customer_months`, or `months()` when the caller
    holds them) answer it: a month's customers are its column, the new ones its own cohort."""
    counts: dict[date, list[int]]
    if group_by == "month" and (filters.start is None or filters.start.day == 1):
        by_cohort = months() if months else customer_months(filters=filters)
        counts = {}
        for (cohort, month), customers in by_cohort.items():
            tally = counts.setdefault(_month_start(month), [0, 0])
            tally[0] += customers
            tally[1] += customers if cohort == month else 0
    else:  # both counted by the database: the distinct buyers per period, and the customers
        # whose first purchase ever (MIN per customer, same filters) falls in the window
        source, rows = _buyers(filters)
        buyers = _count_per(
            "period", rows=rows.values("customer_id", period=_period(source, group_by)).distinct()
        )
        first_rows, first_day = _first_purchases(filters)
        firsts = first_rows.annotate(first=first_day, period=DATE_TRUNCATIONS[group_by](first_day))
        new_ones = _count_per(
            "period", rows=firsts.filter(_days_between("first", filters.start, filters.end))
        )
        counts = {period: [customers, new_ones.get((period,), 0)] for (period,), customers in buyers.items()}
    source = _money_source(filters)
    revenue = dict(
        _rows(source, filters)
        .annotate(period=_period(source, group_by))
        .values("period")
        .annotate(net_revenue=Sum("revenue"))
        .values_list("period", "net_revenue")
    )
    if not counts and not revenue and not filters.start:
        return []
    known = [*counts, *revenue]
    first = _period_start(filters.start, group_by) if filters.start else min(known)
    last = _period_start(filters.end, group_by) if filters.end else max(known, default=first)
    result = []
    for period in _periods(first, last, group_by):
        customers, new = counts.get(period, [0, 0])
        period_revenue = money(revenue.get(period))
        result.append(
            CustomerPeriod(
                period=period,
                customers=customers,
                new=new,
                returning=customers - new,
                repeat_rate=_ratio(Decimal(customers - new), Decimal(customers)),
                revenue_per_customer=money(period_revenue / customers) if customers else ZERO,
            )
        )
    return result


def _count_per(*groups: str, rows: QuerySet, join: QuerySet | None = None) -> dict[tuple[date, ...], int]:
    """COUNT(*) of the rows of a queryset per value of its date columns `groups`, joined to
    the rows of `join` on customer_id when given: the ORM groups a table, not a subquery.
    A few rows come back however many are counted."""
    quote = connection.ops.quote_name
    sql, params = rows.query.sql_with_params()
    source = f"({sql}) {quote('counted')}"
    if join is not None:
        join_sql, join_params = join.query.sql_with_params()
        source += f" INNER JOIN ({join_sql}) {quote('joined')} USING ({quote('customer_id')})"
        params = (*params, *join_params)
    columns = ", ".join(quote(group) for group in groups)
    with connection.cursor() as cursor:
        # Only quoted names and the ORM's own SQL are formatted in; values are parameters.
        cursor.execute(f"SELECT {columns}, COUNT(*) FROM {source} GROUP BY {columns}", params)  # noqa: S608
        return {tuple(_to_date(value) for value in row[:-1]): row[-1] for row in cursor}


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def customer_months(*, filters: SalesFilters) -> CustomerMonths:
    """How many customers bought in each month of the window (months are whole: a window
    that starts mid-month counts its first month from the 1st), by their cohort: the month of
    their first paid sale ever (MIN per customer, same filters), also before the window.

    The database does the counting: each customer's first month joined to their months with
    a purchase, counted per (cohort, month); a few hundred rows come back, whatever the
    number of customers. Cohorts and new vs returning per month both read these counts."""
    source, rows = _buyers(_up_to(filters.end, filters))
    first_rows, first_day = _first_purchases(filters)
    # A first purchase after the end has no month in the window to be joined to.
    first_months = first_rows.annotate(cohort=DATE_TRUNCATIONS["month"](first_day))
    active = rows
    if filters.start is not None:
        active = rows.filter(_dated_between(source, filters.start.replace(day=1), None))
    active_months = active.values("customer_id", month=_period(source, "month")).distinct()
    return {
        (_month_index(cohort), _month_index(month)): customers
        for (cohort, month), customers in _count_per(
            "cohort", "month", rows=first_months, join=active_months
        ).items()
    }


def customer_cohorts(
    *, filters: SalesFilters, months: Callable[[], CustomerMonths] | None = None
) -> list[Cohort]:
    """Monthly cohorts by first paid sale (`customer_months`, or `months()` when the caller
    holds them): for each cohort that began in the window, its customers and, per month
    since (offset 0 is its own), how many of them bought and their share of the cohort."""
    by_cohort = months() if months else customer_months(filters=filters)
    start = _month_index(filters.start) if filters.start else None
    counts = {key: n for key, n in by_cohort.items() if start is None or key[0] >= start}
    if not counts:
        return []
    last = _month_index(filters.end) if filters.end else max(then for _, then in counts)
    result = []
    for first in sorted({first for first, _ in counts}):
        members = counts[first, first]
        retention = [
            CohortMonth(
                offset=offset,
                customers=counts.get((first, first + offset), 0),
                share=_ratio(Decimal(counts.get((first, first + offset), 0)), Decimal(members)),
            )
            for offset in range(last - first + 1)
        ]
        result.append(Cohort(cohort=f"{_month_start(first):%Y-%m}", customers=members, retention=retention))
    return result


def _to_date(value: date | datetime | str) -> date:
    """A month read back by raw SQL: a date or timestamp (PostgreSQL), ISO text (SQLite)."""
    return date.fromisoformat(value[:10]) if isinstance(value, str) else _as_date(value) or value


# Named RFM segments, first match wins (r: recency, f: frequency, each 1-5 from NTILE(5)).
RFM_SEGMENTS: tuple[tuple[str, Callable[[int, int], bool]], ...] = (
    ("champions", lambda r, f: r >= 4 and f >= 4),
    ("loyal", lambda r, f: r >= 3 and f >= 3),
    ("new", lambda r, f: r >= 4 and f <= 2),
    ("at_risk", lambda r, f: r <= 2 and f >= 3),
    ("lost", lambda r, f: r <= 2 and f <= 2),
    ("need_attention", lambda r, f: True),
)
RFM_SEGMENT_NAMES = tuple(name for name, _ in RFM_SEGMENTS)


# Each of the 25 (r, f) scores' segment, looked up once per customer.
RFM_SEGMENT_OF = {
    (r, f): next(name for name, matches in RFM_SEGMENTS if matches(r, f))
    for r in range(1, 6)
    for f in range(1, 6)
}


def customer_rfm(
    *, filters: SalesFilters, as_of: date, segment: str | None = None, page: int = 1, page_size: int = 100
) -> Rfm:
    """Every customer with a paid sale up to `as_of` scored 1-5 (NTILE(5) over all of them) on
    recency (days since the last paid sale; 5 = most recent), frequency (paid orders) and
    monetary value (net revenue), and named by segment (RFM_SEGMENTS). Segments sum up all
    customers; `customers` lists one page, of one `segment` if given, most valuable first.

    Per customer from the rollups unless a category or product is filtered: CustomerSales
    (a row per customer and channel) as of today or later, DailyCustomers (a row per day
    with a purchase or a refund) as of an earlier day. Recency counts whole UTC days."""
    source = _order_source(filters, DailyCustomers)
    orders: Aggregate
    if source is SalesRecord:
        orders = Count("order_id", distinct=True, filter=SOLD)
        last = Max(_day(source), filter=SOLD)
        rows = _rows(source, _up_to(as_of, filters))
    elif as_of >= timezone.now().astimezone(UTC).date():  # nothing is dated later than today
        orders, last = Sum("orders_sold"), Max("last_day")
        rows = _customer_sales(filters)
    else:  # an order is paid on one day: the days' paid orders add up
        orders, last = Sum("orders_sold"), Max("day", filter=BOUGHT)
        rows = _rows(source, _up_to(as_of, filters))
    scored = (
        rows.values("customer_id")
        .annotate(last=last, orders=orders, revenue=Sum("revenue"))
        .filter(orders__gt=0)
        .annotate(
            r=Window(Ntile(5), order_by=[F("last").asc(), F("customer_id").asc()]),
            f=Window(Ntile(5), order_by=[F("orders").asc(), F("customer_id").asc()]),
            m=Window(Ntile(5), order_by=[F("revenue").asc(), F("customer_id").asc()]),
        )
    )
    customers_in = dict.fromkeys(RFM_SEGMENT_NAMES, 0)
    revenue_in = dict.fromkeys(RFM_SEGMENT_NAMES, ZERO)
    candidates = []  # one pass over every customer: tens of thousands in a big shop
    for row in scored:
        # a sum of cents, already a Decimal of two places on either database
        named, revenue = RFM_SEGMENT_OF[row["r"], row["f"]], row["revenue"]
        customers_in[named] += 1
        revenue_in[named] += revenue
        if segment is None or named == segment:
            candidates.append((-revenue, row["customer_id"], row, named))
    total = sum(revenue_in.values(), ZERO)
    segments = [
        RfmSegment(
            segment=name,
            customers=customers_in[name],
            revenue=revenue_in[name],
            share=_ratio(revenue_in[name], total),
        )
        for name in RFM_SEGMENT_NAMES
    ]
    # Most valuable first; the tuples order by (-revenue, customer id) before reaching the row.
    listed = [
        (row, -negated, named)
        for negated, _, row, named in heapq.nsmallest(page * page_size, candidates)[(page - 1) * page_size :]
    ]
    emails = dict(
        get_user_model()
        .objects.filter(pk__in=[row["customer_id"] for row, _, _ in listed])
        .values_list("pk", "email")
    )
    customers = [
        RfmCustomer(
            customer=row["customer_id"],
            email=emails.get(row["customer_id"], ""),
            recency_days=(as_of - row["last"]).days,
            orders=row["orders"],
            revenue=revenue,
            r=row["r"],
            f=row["f"],
            m=row["m"],
            segment=named,
        )
        for row, revenue, named in listed
    ]
    return Rfm(segments=segments, customers=customers)


DASHBOARD_ROWS = 8


def admin_dashboard(*, today: date) -> Dashboard:
    """The admin index's figures: revenue and net orders today and this month (the daily
    rollups), pending orders, the products at or below their low-stock threshold, and the
    latest orders. A fixed number of queries whatever the data."""
    month = DailySales.objects.filter(day__gte=today.replace(day=1), day__lte=today).order_by()
    money_rows = month.aggregate(
        month_revenue=Sum("revenue"), today_revenue=Sum("revenue", filter=Q(day=today))
    )
    order_rows = (
        DailyOrders.objects.filter(day__gte=today.replace(day=1), day__lte=today)
        .order_by()
        .aggregate(
            month_orders=Sum("orders_sold") - Sum("orders_reversed"),
            today_orders=Sum("orders_sold", filter=Q(day=today))
            - Sum("orders_reversed", filter=Q(day=today)),
        )
    )
    low_stock = list(
        Product.objects.filter(
            status=ProductStatus.ACTIVE, stock__quantity__lte=F("stock__low_stock_threshold")
        )
        .order_by("stock__quantity", "sku")
        .values("id", "sku", "name", "stock__quantity", "stock__low_stock_threshold")[:DASHBOARD_ROWS]
    )
    latest = list(
        Order.objects.order_by("-created_at", "-id").values("id", "number", "status", "total", "created_at")[
            :DASHBOARD_ROWS
        ]
    )
    return Dashboard(
        today_revenue=money(money_rows["today_revenue"]),
        today_orders=order_rows["today_orders"] or 0,
        month_revenue=money(money_rows["month_revenue"]),
        month_orders=order_rows["month_orders"] or 0,
        pending_orders=Order.objects.filter(status=OrderStatus.PENDING).count(),
        low_stock=[
            {
                "product": row["id"],
                "sku": row["sku"],
                "name": row["name"],
                "stock": row["stock__quantity"],
                "threshold": row["stock__low_stock_threshold"],
            }
            for row in low_stock
        ],
        latest_orders=[dict(row) for row in latest],
    )
