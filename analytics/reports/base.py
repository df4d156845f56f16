"""What every report shares: the report class, its table, and each column's kind of value,
which says how a page prints it (salesbackend.formatting), how the CSV writes it (plain
numbers, money to the cent, ISO dates) and how an XLSX cell holds it (a number or a date
with a number format)."""

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import IO, Any, ClassVar, NamedTuple

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from analytics.cache import cached_answer
from analytics.forms import SalesFilterForm
from catalog.selectors import category_names, channel_names
from catalog.tabular import write_xlsx
from salesbackend import formatting
from salesbackend.spreadsheets import Formatted, spreadsheet_safe

NO_CODE = "No code"  # how pages and charts name the orders placed without a discount code

# The kinds of values a column holds, and how a page prints each.
PRINTERS: dict[str, Callable[[Any], str]] = {
    "text": lambda value: "" if value is None else str(value),
    "words": formatting.words,  # a key: partially_refunded -> Partially refunded
    "money": formatting.money,
    "count": formatting.count,
    "integer": lambda value: "" if value is None else str(value),  # an id, a rank, a score
    "number": formatting.number,  # a measure with two decimals (units per day)
    "percent": formatting.percent,  # a fraction: 0.4123 -> 41.2 %
    "percent_points": formatting.percent_points,  # already in percent: 11.0 -> 11.0 %
    "change": formatting.change,  # a change in percent with its mark: -3.0 -> ▼ 3.0 %
    # A fraction, its cell shaded by it; whole percents, so a cohort grid of 18 months fits a page.
    "retention": formatting.whole_percent,
    "date": formatting.business_date,
    "datetime": formatting.business_datetime,  # a moment, on the pages' clock
    "month": formatting.month,  # "2026-01" -> Jan 2026
    "discount_code": lambda value: NO_CODE if value is None else str(value),  # None: orders without
}
# Kinds whose values are keys (a category's slug, a channel's code): a page prints the name, read
# once per table; the CSV and XLSX keep the key, as the JSON does.
NAMED_KINDS: dict[str, Callable[[], dict[str, str]]] = {
    "category": category_names,
    "channel": channel_names,
}
NUMERIC_KINDS = frozenset(
    {"money", "count", "integer", "number", "percent", "percent_points", "change", "retention"}
)


@dataclass(frozen=True)
class Column:
    key: str  # the JSON field name, also the CSV header
    label: str
    kind: str = "text"  # one of PRINTERS
    on_page: bool = True  # False: in the CSV and XLSX only (a key the label already says)
    downloaded: bool = True  # False: on the page only (another column as a manager reads it)

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


class Cell(NamedTuple):
    column: Column
    text: str  # as a manager reads it
    style: str  # inline CSS of the cell ("" for most), for the page and the e-mail alike
    kind: str  # the kind of value, marked on the page (`data-kind`) for the browser checks


@dataclass(frozen=True)
class Table:
    title: str
    name: str
    columns: tuple[Column, ...]
    rows: list[list[Any]]  # the answer's values (Decimals, ints, dates, keys), not text
    # A row's own kinds by column key, where one column mixes them (compare: dates, money, counts).
    row_kinds: tuple[dict[str, str], ...] = field(default=())
    # Each row's link one level down (None: none), on the text of the column `link_column`.
    links: tuple[str | None, ...] = field(default=())
    link_column: str = ""

    def kinds(self, index: int) -> list[str]:
        own = self.row_kinds[index] if index < len(self.row_kinds) else {}
        return [own.get(column.key, column.kind) for column in self.columns]

    def cells(self) -> list[list[Cell]]:
        """The rows as a page and an e-mail show them, through the one formatting layer."""
        names = {
            kind: load() for kind, load in NAMED_KINDS.items() if any(c.kind == kind for c in self.columns)
        }

        def printed(kind: str, value: Any) -> str:
            if kind in names:  # a key no longer known (a category deleted since) shows as it is
                return "" if value is None else names[kind].get(value, str(value))
            return PRINTERS[kind](value)

        return [
            [
                Cell(column, printed(kind, value), _style(kind, value), kind)
                for column, kind, value in zip(self.columns, self.kinds(index), row, strict=True)
                if column.on_page
            ]
            for index, row in enumerate(self.rows)
        ]

    def page_columns(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.on_page)

    def body_html(self) -> SafeString:
        """The cells as the page's table rows. Built here rather than in the template: a
        template loop takes about 150 ms over the 16,000 cells of a 2,000-product table."""
        return mark_safe(  # noqa: S308 - every value is escaped here
            "".join(
                "<tr>"
                + "".join(
                    "<td"
                    + (' class="num"' if cell.column.numeric else "")
                    + (f' data-kind="{cell.kind}"' if cell.kind != "text" else "")
                    + (f' style="{escape(cell.style)}"' if cell.style else "")
                    + f">{self._linked(cell, index)}</td>"
                    for cell in row
                )
                + "</tr>"
                for index, row in enumerate(self.cells())
            )
        )

    def _linked(self, cell: Cell, index: int) -> str:
        link = self.links[index] if cell.column.key == self.link_column and index < len(self.links) else None
        return f'<a href="{escape(link)}">{escape(cell.text)}</a>' if link else escape(cell.text)

    def download_columns(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.downloaded)

    def _downloaded(self, index: int) -> list[tuple[str, Any]]:
        """Row `index`'s (kind, value) of the columns the CSV and XLSX hold."""
        cells = zip(self.columns, self.kinds(index), self.rows[index], strict=True)
        return [(kind, value) for column, kind, value in cells if column.downloaded]

    def plain_rows(self) -> list[list[str]]:
        """The rows as the CSV writes them: plain numbers (money to the cent), ISO dates."""
        return [
            [_plain(kind, value) for kind, value in self._downloaded(index)]
            for index in range(len(self.rows))
        ]

    def xlsx_rows(self) -> list[list[Any]]:
        """The rows as XLSX cells: numbers and dates with number formats, text as text."""
        return [
            [_xlsx_cell(kind, value) for kind, value in self._downloaded(index)]
            for index in range(len(self.rows))
        ]


def _style(kind: str, value: Any) -> str:
    if kind != "retention" or value is None or value == "":
        return ""
    background, text = formatting.shade(value)
    return f"background-color: {background}; color: {text}"


def _plain(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "money":
        return str(formatting.cents(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _xlsx_cell(kind: str, value: Any) -> Any:
    if value is None or value == "":
        return None
    if kind == "money":
        return Formatted(formatting.cents(value), formatting.xlsx_money_format())
    if kind == "datetime":  # spreadsheets have no time zones: the UTC wall clock
        return Formatted(value.astimezone(UTC).replace(tzinfo=None), formatting.XLSX_DATETIME)
    if kind in ("date", "month"):
        day = formatting.as_date(value)
        return Formatted(day, formatting.XLSX_MONTH if kind == "month" else formatting.XLSX_DATE)
    if kind == "count":
        return Formatted(Decimal(str(value)), formatting.XLSX_COUNT)
    if kind == "integer":
        return Formatted(Decimal(str(value)), "0")
    if kind == "number":
        return Formatted(Decimal(str(value)), formatting.XLSX_DECIMAL)
    if kind in ("percent", "retention"):
        return Formatted(Decimal(str(value)), formatting.XLSX_PERCENT)
    if kind in ("percent_points", "change"):
        return Formatted(Decimal(str(value)), formatting.XLSX_PERCENT_POINTS)
    return value


def cell(value: Any) -> str:
    """A value as plain text, as the JSON API prints it ('' for None)."""
    return "" if value is None else str(value)


class Report:
    question: ClassVar[str]  # the analytics question: cache key, like the API path
    table_name: ClassVar[str]  # `?table=` on a report page with several tables
    title: ClassVar[str]
    form_class: ClassVar[type[SalesFilterForm]] = SalesFilterForm
    columns: ClassVar[tuple[Column, ...]]
    reads_catalog: ClassVar[bool] = False
    reads_returns: ClassVar[bool] = False
    # Whether its answer gains the earlier span's figures with `compare=` (the rest ignore it).
    compares: ClassVar[bool] = False
    # What a comparison adds to its rows, shown after its own columns.
    comparison_columns: ClassVar[tuple[Column, ...]] = (
        Column("previous_revenue", "Previous revenue", kind="money"),
        Column("change_pct", "Change", kind="change"),
    )

    def __init__(self, form: SalesFilterForm):
        """`form` is a valid form of `form_class` (or a subclass: pages share one form)."""
        self.data = form.cleaned_data
        self.filters = form.sales_filters
        # The comparison asked for (None: none), where this report makes one.
        self.compare: str | None = self.data.get("compare") if self.compares else None

    def params(self) -> dict[str, Any]:
        """The question's own parameters beyond the common filters."""
        return {}

    def compute(self) -> Any:
        raise NotImplementedError

    def answer(self) -> Any:
        # `compare` joins the key only when given, so answers without it keep their keys.
        compare = {"compare": self.compare} if self.compare else {}
        return cached_answer(
            self.question,
            {"filters": self.filters.as_key(), **self.params(), **compare},
            self.compute,
            reads_catalog=self.reads_catalog,
            reads_returns=self.reads_returns,
        )

    def rows(self, answer: Any) -> list[dict[str, Any]]:
        return answer

    def table_columns(self) -> tuple[Column, ...]:
        return self.columns + (self.comparison_columns if self.compare else ())

    def table(self, answer: Any) -> Table:
        columns = self.table_columns()
        return Table(
            title=self.title,
            name=self.table_name,
            columns=columns,
            rows=[[row[column.key] for column in columns] for row in self.rows(answer)],
        )

    def xlsx(self, answer: Any) -> bytes:
        """The table as a workbook: the CSV's header, numbers and dates as cells with formats."""
        table = self.table(answer)
        return write_xlsx(
            [column.key for column in table.download_columns()], table.xlsx_rows(), title=self.table_name[:31]
        )

    def write_csv(self, answer: Any, out: IO[str]) -> None:
        table = self.table(answer)
        writer = csv.writer(out)
        writer.writerow([column.key for column in table.download_columns()])
        writer.writerows(csv_rows(table))


def csv_rows(table: Table) -> Iterator[list[str]]:
    """The table's rows as CSV cells: plain numbers, text safe from spreadsheet formulas."""
    for row in table.plain_rows():
        yield [
            value if column.numeric else spreadsheet_safe(value)  # "-5.00" is a number
            for column, value in zip(table.download_columns(), row, strict=True)
        ]
