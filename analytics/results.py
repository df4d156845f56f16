"""The shapes of the analytics answers: what the selectors return, and what the JSON
serializers, the report tables and the CSV files name (a test holds them to these keys).
Money is a Decimal rounded to cents; shares and margins are fractions to 4 places."""

from datetime import date, datetime
from decimal import Decimal
from typing import TypedDict


class Summary(TypedDict):
    revenue: Decimal
    cost: Decimal
    profit: Decimal
    margin: Decimal | None
    orders: int
    units: int
    average_order_value: Decimal
    customers: int
    status_counts: dict[str, int]


class ProductRank(TypedDict):
    rank: int
    product: int
    sku: str
    name: str
    units: int
    revenue: Decimal
    profit: Decimal
    share: Decimal | None


class RevenuePeriod(TypedDict):
    period: date
    revenue: Decimal
    orders: int
    units: int
    profit: Decimal
    running_total: Decimal
    change: Decimal | None


class PeriodTotals(TypedDict):
    start: date
    end: date
    revenue: Decimal
    orders: int
    units: int


class Comparison(TypedDict):
    period1: PeriodTotals
    period2: PeriodTotals
    difference: Decimal
    change_pct: Decimal | None


class CategorySales(TypedDict):
    rank: int
    category: str | None
    name: str
    revenue: Decimal
    units: int
    profit: Decimal
    share: Decimal | None


class ChannelSales(TypedDict):
    rank: int
    channel: str
    name: str
    revenue: Decimal
    orders: int
    share: Decimal | None


class CategoryLeader(TypedDict):
    category: str | None
    category_name: str
    rank: int
    product: int
    sku: str
    name: str
    revenue: Decimal
    units: int


class DiscountCodeSales(TypedDict):
    code: str | None
    orders: int
    discount: Decimal
    revenue: Decimal
    average_order_value: Decimal
    share: Decimal | None


class InventoryProduct(TypedDict):
    product: int
    sku: str
    name: str
    stock: int
    units_per_day: Decimal
    days_of_cover: Decimal | None
    reorder_point: int
    suggested_order: int
    state: str


class LocationStockValue(TypedDict):
    location: str
    name: str
    units: int
    value: Decimal


class CustomerPeriod(TypedDict):
    period: date
    customers: int
    new: int
    returning: int
    repeat_rate: Decimal | None
    revenue_per_customer: Decimal


class CohortMonth(TypedDict):
    offset: int
    customers: int
    share: Decimal | None


class Cohort(TypedDict):
    cohort: str
    customers: int
    retention: list[CohortMonth]


class RfmSegment(TypedDict):
    segment: str
    customers: int
    revenue: Decimal
    share: Decimal | None


class RfmCustomer(TypedDict):
    customer: int
    email: str
    recency_days: int
    orders: int
    revenue: Decimal
    r: int
    f: int
    m: int
    segment: str


class Rfm(TypedDict):
    segments: list[RfmSegment]
    customers: list[RfmCustomer]


# `class` is a Python keyword, hence the functional form.
AbcProduct = TypedDict(
    "AbcProduct",
    {
        "rank": int,
        "product": int,
        "sku": str,
        "name": str,
        "value": Decimal,
        "share": Decimal | None,
        "cumulative_share": Decimal | None,
        "class": str,
    },
)


class SalesLine(TypedDict):
    id: int
    sold_at: datetime
    kind: str  # sale | reversal
    order: int
    order_number: str | None
    product: int
    sku: str
    category: str | None
    channel: str
    customer: int
    quantity: int
    revenue: Decimal
    cost: Decimal


class SalesLineTotals(TypedDict):
    quantity: int
    revenue: Decimal
    cost: Decimal


class ReturnReason(TypedDict):
    reason: str
    returns: int
    units_returned: int
    share: Decimal | None


class ProductReturns(TypedDict):
    product: int
    sku: str
    units_sold: int
    units_returned: int
    rate: Decimal | None
    top_reason: str


# What `compare=` adds (only then: the keys are absent without it).
class ComparedSummary(Summary, total=False):
    previous: Summary | None
    change: dict[str, Decimal | None] | None
    previous_start: date | None
    previous_end: date | None


class ComparedProductRank(ProductRank, total=False):
    previous_revenue: Decimal | None
    change_pct: Decimal | None


class ComparedRevenuePeriod(RevenuePeriod, total=False):
    previous_revenue: Decimal | None


class ComparedCategorySales(CategorySales, total=False):
    previous_revenue: Decimal | None
    change_pct: Decimal | None


class ComparedChannelSales(ChannelSales, total=False):
    previous_revenue: Decimal | None
    change_pct: Decimal | None


class ComparedDiscountCodeSales(DiscountCodeSales, total=False):
    previous_revenue: Decimal | None
    change_pct: Decimal | None
