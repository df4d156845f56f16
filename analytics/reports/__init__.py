"""One small class per report table, in the manner of django-oscar's dashboard reports.

A report knows its question (a selector, cached), the form that validates its filters and
how to lay its answer out as a table. The JSON API serialises `answer()`; the HTML pages
render `table()`; the CSV download writes the same table. So all three show the same
numbers, rounded once, in the selectors.

`base` holds the report class and its table; `sales`, `products` and `customers` the reports
by topic; `lines` the drill-down to the ledger's rows, paged and streamed.
"""

from .base import NO_CODE, PRINTERS, Cell, Column, Report, Table, cell
from .customers import (
    CohortReport,
    CustomerMonthsReport,
    CustomerSummaryReport,
    RfmReport,
    RfmSegmentReport,
)
from .lines import XLSX_MAX_LINES, LinesReport
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
from .targets import TargetsReport

__all__ = [
    "NO_CODE",
    "PRINTERS",
    "PRODUCT_COLUMNS",
    "SUMMARY_METRICS",
    "XLSX_MAX_LINES",
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
    "LinesReport",
    "OrderStatusReport",
    "Report",
    "ReturnReasonsReport",
    "ReturnsReport",
    "RevenueReport",
    "RfmReport",
    "RfmSegmentReport",
    "SummaryReport",
    "Table",
    "TargetsReport",
    "TopProductsReport",
    "cell",
]
