"""What every report shares: the report class, its table and how a page prints its cells."""

import csv
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any, ClassVar

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from analytics.cache import cached_answer
from analytics.forms import SalesFilterForm
from catalog.tabular import write_xlsx
from salesbackend.spreadsheets import spreadsheet_safe


@dataclass(frozen=True)
class Column:
    key: str  # the JSON field name, also the CSV header
    label: str
    numeric: bool = False


@dataclass(frozen=True)
class Table:
    title: str
    name: str
    columns: tuple[Column, ...]
    rows: list[list[str]]

    def cells(self) -> list[list[tuple[Column, str]]]:
        """The rows as a page shows them: fractions as percentages, money with its currency
        (CSV, XLSX and the JSON API keep the plain numbers)."""
        return [
            [(column, display(column.key, value)) for column, value in zip(self.columns, row, strict=True)]
            for row in self.rows
        ]

    def body_html(self) -> SafeString:
        """The cells as the page's table rows. Built here rather than in the template: a
        template loop takes about 150 ms over the 16,000 cells of a 2,000-product table."""
        return mark_safe(  # noqa: S308 - every value is escaped here
            "".join(
                "<tr>"
                + "".join(
                    f'<td class="num">{escape(value)}</td>' if column.numeric else f"<td>{escape(value)}</td>"
                    for column, value in row
                )
                + "</tr>"
                for row in self.cells()
            )
        )


# How a page shows a column's numbers, by key (the answers name them alike everywhere).
MONEY_KEYS = frozenset(
    {"revenue", "cost", "profit", "discount", "average_order_value", "revenue_per_customer", "running_total",
     "change", "difference", "period1", "period2"}
)  # fmt: skip
RATIO_KEYS = frozenset({"share", "margin", "cumulative_share", "repeat_rate"})


def display(key: str, value: str) -> str:
    if value == "":
        return value
    if key in RATIO_KEYS or key.startswith("month_"):  # cohort retention columns are shares
        return f"{Decimal(value) * 100:.1f} %"
    if key in MONEY_KEYS:
        return f"{value} {settings.SALES_CURRENCY}"
    return value


def cell(value: Any) -> str:
    """Values are already rounded by the selectors; print them as the JSON API does."""
    return "" if value is None else str(value)


class Report:
    question: ClassVar[str]  # the analytics question: cache key, like the API path
    table_name: ClassVar[str]  # `?table=` on a report page with several tables
    title: ClassVar[str]
    form_class: ClassVar[type[SalesFilterForm]] = SalesFilterForm
    columns: ClassVar[tuple[Column, ...]]
    reads_catalog: ClassVar[bool] = False

    def __init__(self, form: SalesFilterForm):
        """`form` is a valid form of `form_class` (or a subclass: pages share one form)."""
        self.data = form.cleaned_data
        self.filters = form.sales_filters

    def params(self) -> dict[str, Any]:
        """The question's own parameters beyond the common filters."""
        return {}

    def compute(self) -> Any:
        raise NotImplementedError

    def answer(self) -> Any:
        return cached_answer(
            self.question,
            {"filters": self.filters.as_key(), **self.params()},
            self.compute,
            reads_catalog=self.reads_catalog,
        )

    def rows(self, answer: Any) -> list[dict[str, Any]]:
        return answer

    def table(self, answer: Any) -> Table:
        return Table(
            title=self.title,
            name=self.table_name,
            columns=self.columns,
            rows=[[cell(row[column.key]) for column in self.columns] for row in self.rows(answer)],
        )

    def xlsx(self, answer: Any) -> bytes:
        """The table as a workbook: the CSV's header and cells, numbers as numbers."""
        table = self.table(answer)
        rows = [
            [
                _number(value) if column.numeric else value
                for column, value in zip(table.columns, row, strict=True)
            ]
            for row in table.rows
        ]
        return write_xlsx([column.key for column in table.columns], rows, title=self.table_name[:31])

    def write_csv(self, answer: Any, out: IO[str]) -> None:
        table = self.table(answer)
        writer = csv.writer(out)
        writer.writerow([column.key for column in table.columns])
        for row in table.rows:
            writer.writerow(
                [
                    value if column.numeric else spreadsheet_safe(value)  # "-5.00" is a number
                    for column, value in zip(table.columns, row, strict=True)
                ]
            )


def _number(value: str) -> Decimal | str:
    try:
        return Decimal(value) if value else value
    except InvalidOperation:
        return value
