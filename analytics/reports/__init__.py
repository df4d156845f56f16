"""One small class per report table, in the manner of django-oscar's dashboard reports.

A report knows its question (a selector, cached), the form that validates its filters and
how to lay its answer out as a table. The JSON API serialises `answer()`; the HTML pages
render `table()`; the CSV download writes the same table. So all three show the same
numbers, rounded once, in the selectors.

`base` holds the report class and its table; `sales`, `products` and `customers` the reports
by topic.
"""

from .base import PRINTERS, Cell, Column, Report, Table, cell
from .customers import (
    CohortReport,
    CustomerMonthsReport,
    CustomerSummaryReport,
    RfmReport,
    RfmSegmentReport,
)
from .products import (
    PRODUCT_COLUMNS,
    AbcReport,
    BottomProductsReport,
    CategoryLeadersReport,
    InventoryReport,
    ReturnReasonsReport,
    ReturnsReport,
    TopProductsReport,
)
from .sales import (
    SUMMARY_METRICS,
    CategoryReport,
    ChannelReport,
    CompareReport,
    DiscountCodeReport,
    OrderStatusReport,
    RevenueReport,
    SummaryReport,
)

__all__ = [
    "PRINTERS",
    "PRODUCT_COLUMNS",
    "SUMMARY_METRICS",
    "AbcReport",
    "BottomProductsReport",
    "CategoryLeadersReport",
    "CategoryReport",
    "Cell",
    "ChannelReport",
    "CohortReport",
    "Column",
    "CompareReport",
    "CustomerMonthsReport",
    "CustomerSummaryReport",
    "DiscountCodeReport",
    "InventoryReport",
    "OrderStatusReport",
    "Report",
    "ReturnReasonsReport",
    "ReturnsReport",
    "RevenueReport",
    "RfmReport",
    "RfmSegmentReport",
    "SummaryReport",
    "Table",
    "TopProductsReport",
    "cell",
]
