"""CSV downloads that are safe to open in a spreadsheet."""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

# Spreadsheets run a text cell starting with one of these as a formula ("CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Formatted:
    """A spreadsheet cell's value (a number or a date) with its number format
    (`#,##0.00 "EUR"`, `0.0%`, `yyyy-mm-dd`): a workbook shows it as the page does."""

    value: Any
    number_format: str


def spreadsheet_safe(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading quote; numbers pass."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return f"'{value}"
    return value


def spreadsheet_text(value: str) -> str:
    """The inverse of `spreadsheet_safe` for text read back from a file: the guard quote
    comes off again, so export -> edit -> import keeps the text as it was."""
    if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8")
