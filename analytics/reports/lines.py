"""The drill-down report: the sales lines behind any figure, a page at a time, with their totals.

Unlike the other reports its answer is not one table: the totals and the page are two cached
answers (a page's worth of lines, and the count and sums of them all), and a download walks
every line in batches rather than one answer held in memory.
"""

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from analytics.cache import cached_answer
from analytics.forms import LinesForm
from analytics.results import SalesLine, SalesLineTotals
from analytics.selectors import LineFilters, sales_line_batches, sales_line_totals, sales_lines
from catalog.tabular import write_xlsx

from .base import Column, Report, Table, csv_rows

# What an e-mailed subscription carries (and `answer()` gives): the newest lines.
NEWEST_LINES = 100
# A workbook is built whole before it is sent; beyond this many lines, the CSV (streamed) is the way.
XLSX_MAX_LINES = 100_000


class _Echo:
    """A file-like object that hands back what is written, for csv.writer in a stream."""

    def write(self, value: str) -> str:
        return value


class LinesReport(Report):
    question = "lines"
    table_name = "lines"
    title = "Sales lines"
    form_class = LinesForm
    columns = (
        Column("id", "Line id", kind="integer", on_page=False),
        Column("sold_at", "Sold at", kind="datetime"),
        Column("kind", "Kind", kind="words"),
        Column("order", "Order id", kind="integer", on_page=False),
        Column("order_number", "Order"),
        Column("product", "Product id", kind="integer", on_page=False),
        Column("sku", "SKU"),
        Column("category", "Category", kind="category"),
        Column("channel", "Channel", kind="channel"),
        Column("customer", "Customer", kind="integer"),
        Column("quantity", "Units", kind="count"),
        Column("revenue", "Revenue", kind="money"),
        Column("cost", "Cost", kind="money"),
    )

    def __init__(self, form: LinesForm):
        super().__init__(form)
        self.line_filters: LineFilters = form.line_filters

    def totals(self) -> tuple[int, SalesLineTotals]:
        """How many lines the filters match, and their sums (cached)."""
        return cached_answer(
            "lines-totals",
            {"filters": self.line_filters.as_key()},
            lambda: sales_line_totals(filters=self.line_filters),
        )

    def page(self, *, offset: int, limit: int) -> list[SalesLine]:
        """`limit` lines from `offset`, newest first (cached)."""
        return cached_answer(
            self.question,
            {"filters": self.line_filters.as_key(), "offset": offset, "limit": limit},
            lambda: sales_lines(filters=self.line_filters, offset=offset, limit=limit),
        )

    def answer(self) -> dict[str, Any]:
        """The totals and the newest lines: what a subscription's e-mail shows."""
        count, totals = self.totals()
        return {"count": count, "totals": totals, "lines": self.page(offset=0, limit=NEWEST_LINES)}

    def rows(self, answer: dict[str, Any]) -> list[Any]:
        return answer["lines"]

    def _batches(self) -> Iterator[Table]:
        for batch in sales_line_batches(filters=self.line_filters):
            yield self.table({"lines": batch})

    def csv_stream(self) -> Iterator[str]:
        """Every line as CSV text, a batch of lines at a time (memory: one batch)."""
        writer = csv.writer(_Echo())
        yield writer.writerow([column.key for column in self.columns])
        for table in self._batches():
            yield "".join(writer.writerow(row) for row in csv_rows(table))

    def xlsx_all(self) -> bytes:
        """Every line as a workbook (write-only: rows go to disk as they come)."""
        rows: Iterable[list[Any]] = (row for table in self._batches() for row in table.xlsx_rows())
        return write_xlsx([column.key for column in self.columns], rows, title=self.table_name)
