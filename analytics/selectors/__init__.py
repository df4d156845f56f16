"""The questions managers ask of the sales ledger, one function each, by topic:

- `sales`: summary, revenue over time, two periods compared, per category, channel, discount code;
- `products`: best and lowest sellers, the leaders of each category, ABC analysis;
- `customers`: new and returning, monthly cohorts, RFM;
- `inventory`: stock against recent sales, and its value per location;
- `returns`: units received back through returns against units sold, per product;
- `dashboard`: the admin index's figures;
- `comparisons`: the earlier span a figure is compared with (`compare=`) and its revenue;
- `lines`: the ledger's own rows behind any figure (the drill-down) and their totals;
- `sources`: which table answers (a rollup or the ledger) and the rows and periods it gives;
- `common`: the filters, rounding and the calendar of periods that every question shares.

Everything is computed in the database from `orders.SalesRecord` (one row per paid order
line, a negative row for each line of a refund or a cancellation after payment), with the
catalog only for names and for the active products that sold nothing. Unpaid and cancelled
orders never reach the ledger, so they never count.

Where the numbers come from: the ledger has a million rows in a big shop, so the answers
are read from its five rollups (`orders.DailySales`, `ProductSales`, `DailyOrders`,
`DailyCustomers`, `CustomerSales`), which orders keeps exact in the transaction of every sale
and reversal, whenever they hold the answer exactly; otherwise from the ledger:
- units, revenue, cost: `DailySales` (per day, channel and category), unless a
  product is asked for;
- orders and customers: `DailyOrders` (per day and channel) and `DailyCustomers` (per
  customer, day and channel), unless a category or product is asked for: distinct orders and
  customers do not add up across categories, and those filters make the ledger query selective;
- each customer's first purchase, and RFM as of today: `CustomerSales` (per customer and
  channel, all time), under the same condition;
- per product (rankings, category leaders, ABC, inventory): `ProductSales`, always: its month
  rows for the whole months in the dates, its day rows for the days at either end.

Definitions (also in the OpenAPI schema):
- revenue, cost, units are net of reversals; profit = revenue - cost, from the cost snapshots.
- orders = distinct orders with a sale in the window minus distinct orders with a reversal in
  the window. It is additive (the periods of a series add up to the summary) and an order
  sold and refunded in the same window counts zero.
- customers = distinct customers with a sale in the window.
- share and margin are fractions rounded to 4 places (0.2500 is 25 %); change_pct is a
  percentage rounded to 2 places. Money is rounded to cents.

Date filters are inclusive calendar days of the business (`SALES_TIME_ZONE`, like every day of the
rollups), applied as a half-open range on `sold_at` from the first day's local midnight to the
day after the last one's, so the (…, sold_at) indexes serve them, and as a range of days on the rollups.
"""

from .common import MONEY, RATIO, ZERO, SalesFilters, WindowSum, money
from .comparisons import (
    COMPARISONS,
    change_pct,
    paired_summaries,
    previous_filters,
    previous_revenue_by_code,
    previous_revenue_by_product,
    previous_revenue_per_period,
    previous_span,
    with_previous_revenue,
)
from .customers import (
    RFM_SEGMENT_NAMES,
    RFM_SEGMENTS,
    CustomerMonths,
    customer_cohorts,
    customer_months,
    customer_rfm,
    customer_summary,
)
from .dashboard import admin_dashboard
from .inventory import INVENTORY_STATES, inventory_insight, stock_value_by_location
from .lines import LINE_KINDS, LineFilters, sales_line_batches, sales_line_totals, sales_lines
from .products import (
    ABC_METRICS,
    RANKING_METRICS,
    abc_analysis,
    bottom_products,
    category_leaders,
    top_products,
)
from .returns import product_returns, return_reasons
from .sales import (
    category_sales,
    channel_sales,
    order_status_counts,
    revenue_over_time,
    sales_by_category,
    sales_by_channel,
    sales_by_discount_code,
    sales_compare,
    sales_summary,
)
from .sources import GROUPINGS, OfDates

__all__ = [
    "ABC_METRICS",
    "COMPARISONS",
    "GROUPINGS",
    "INVENTORY_STATES",
    "LINE_KINDS",
    "MONEY",
    "RANKING_METRICS",
    "RATIO",
    "RFM_SEGMENTS",
    "RFM_SEGMENT_NAMES",
    "ZERO",
    "CustomerMonths",
    "LineFilters",
    "OfDates",
    "SalesFilters",
    "WindowSum",
    "abc_analysis",
    "admin_dashboard",
    "bottom_products",
    "category_leaders",
    "category_sales",
    "change_pct",
    "channel_sales",
    "customer_cohorts",
    "customer_months",
    "customer_rfm",
    "customer_summary",
    "inventory_insight",
    "money",
    "order_status_counts",
    "paired_summaries",
    "previous_filters",
    "previous_revenue_by_code",
    "previous_revenue_by_product",
    "previous_revenue_per_period",
    "previous_span",
    "product_returns",
    "return_reasons",
    "revenue_over_time",
    "sales_by_category",
    "sales_by_channel",
    "sales_by_discount_code",
    "sales_compare",
    "sales_line_batches",
    "sales_line_totals",
    "sales_lines",
    "sales_summary",
    "stock_value_by_location",
    "top_products",
    "with_previous_revenue",
]
