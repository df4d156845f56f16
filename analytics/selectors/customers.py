"""Customers: new and returning, monthly cohorts, RFM scores."""

import heapq
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Aggregate, Count, F, Max, Min, QuerySet, Sum, Window
from django.db.models.functions import Ntile

from analytics.results import Cohort, CohortMonth, CustomerPeriod, Rfm, RfmCustomer, RfmSegment
from orders.models import CustomerSales, DailyCustomers, SalesRecord
from salesbackend.zone import sales_today

from .common import ZERO, SalesFilters, _as_date, _period_start, _periods, _ratio, money
from .sources import (
    BOUGHT,
    DATE_TRUNCATIONS,
    SOLD,
    _buyers,
    _dated_between,
    _day,
    _days_between,
    _money_source,
    _order_source,
    _period,
    _rows,
)

CustomerMonths = dict[tuple[int, int], int]  # customers per (cohort, month), months by _month_index


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
    with a purchase or a refund) as of an earlier day. Recency counts whole days (SALES_TIME_ZONE)."""
    source = _order_source(filters, DailyCustomers)
    orders: Aggregate
    if source is SalesRecord:
        orders = Count("order_id", distinct=True, filter=SOLD)
        last = Max(_day(source), filter=SOLD)
        rows = _rows(source, _up_to(as_of, filters))
    elif as_of >= sales_today():  # nothing is dated later than today
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
        # a sum of cents: SQLite hands it back as a float (656682.4000000001), hence money()
        named, revenue = RFM_SEGMENT_OF[row["r"], row["f"]], money(row["revenue"])
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
