"""CSV downloads that are safe to open in a spreadsheet."""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

# Spreadsheets run a text cell starting with one of these as a formula ("CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# The guard put in front of such text. Text that already starts with it gets one more, so that
# reading a file back can take exactly one off wherever the export added one, and nowhere else:
# `'-90s mix` is written `''-90s mix` and read back as `'-90s mix`, never as `-90s mix`.
GUARD = "'"
GUARDED_PREFIXES = (*FORMULA_PREFIXES, GUARD)


@dataclass(frozen=True)
class Formatted:
    """A spreadsheet cell's value (a number or a date) with its number format
    (`#,##0.00 "EUR"`, `0.0%`, `yyyy-mm-dd`): a workbook shows it as the page does."""

    value: Any
    number_format: str


def spreadsheet_safe(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula, or that starts with the guard quote
    itself, gets a leading quote; numbers pass."""
    if isinstance(value, str) and value.startswith(GUARDED_PREFIXES):
        return f"{GUARD}{value}"
    return value


def spreadsheet_text(value: str) -> str:
    """The exact inverse of `spreadsheet_safe` for text read back from a file: one guard quote
    comes off where the export would have put it (before a formula character or another
    quote), so export -> edit -> import keeps the text as it was."""
    if value.startswith(GUARD) and value[1:].startswith(GUARDED_PREFIXES):
        return value[1:]
    return value


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8")
