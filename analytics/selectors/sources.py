"""Which table answers a question: a rollup where it holds the answer exactly, else the
sales ledger; and the rows, periods and counts of whichever it is.

`orders.DailySales` holds units, revenue and cost per day (SALES_TIME_ZONE), channel and category, so it
answers unless a product is filtered. `DailyOrders`, `DailyCustomers` and `CustomerSales` hold
distinct orders and customers per channel (`DailyCodeSales` also the coded sales' money per
discount code), which do not add up across categories or products, so they answer unless a
category or product is filtered. `ProductSales` (day rows, and month
rows for whole months) answers every per-product question. The ledger (`SalesRecord`) answers
the rest. Every choice between a rollup and the ledger goes through `_source`, so a test can
send those questions to the ledger and check it gets the same answers.
"""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, DateField, Expression, F, Model, Q, QuerySet, Sum
from django.db.models.expressions import Combinable
from django.db.models.functions import TruncDate, TruncDay, TruncMonth, TruncWeek, TruncYear
from django.db.models.functions.datetime import TruncBase

from orders.models import DailyCustomers, DailyOrders, DailySales, ProductSales, SalesRecord
from salesbackend.zone import sales_zone

from .common import SalesFilters, _day_start, _next_period

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


SOLD = Q(quantity__gt=0)
BOUGHT = Q(orders_sold__gt=0)  # a DailyCustomers row of a day with a paid order, not only refunds
REVERSED = Q(quantity__lt=0, reverses_order=True)  # partial refunds leave the order counted


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


def _coded(source: type[Model], filters: SalesFilters) -> QuerySet:
    """The rows of coded sales: all of `DailyCodeSales`'s, the ledger's with a code."""
    rows = _rows(source, filters)
    return rows.filter(discount_code__isnull=False) if source is SalesRecord else rows


def _rows(source: type[Model], filters: SalesFilters) -> QuerySet:
    # order_by() drops the model's default ordering, which would otherwise join GROUP BY.
    return source._default_manager.filter(_condition(source, filters)).order_by()


def _period(source: type[Model], group_by: str) -> Expression:
    """The first day of the period a row falls in, as a date."""
    if source is SalesRecord:
        return TRUNCATIONS[group_by]("sold_at", tzinfo=sales_zone(), output_field=DateField())
    return DATE_TRUNCATIONS[group_by]("day")


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


def _net_totals(within: Q | None = None) -> dict[str, Any]:
    """The ledger and the rollups name these columns alike; `within`: of those rows only."""
    return {
        "net_revenue": Sum("revenue", filter=within),
        "net_cost": Sum("cost", filter=within),
        "net_units": Sum("quantity", filter=within),
    }


def _buyers(filters: SalesFilters) -> tuple[type[Model], QuerySet]:
    """Who bought when: the DailyCustomers rollup (a row per buyer, day and channel) unless a
    category or product is filtered, else the ledger's sales."""
    source = _order_source(filters, DailyCustomers)
    return source, _rows(source, filters).filter(SOLD if source is SalesRecord else BOUGHT)


def _day(source: type[Model]) -> TruncDate | F:
    """A row's day (SALES_TIME_ZONE), as a date."""
    return TruncDate("sold_at", tzinfo=sales_zone()) if source is SalesRecord else F("day")
