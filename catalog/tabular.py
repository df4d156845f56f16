"""Reading and writing spreadsheets (CSV or XLSX) as rows of text cells.

Row numbers are the ones a spreadsheet shows: the header is row 1, the first product row 2.
"""

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from salesbackend.spreadsheets import spreadsheet_safe

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A few MB of XLSX can unzip to millions of rows; refuse those before holding them in memory.
MAX_ROWS = 50_000


@dataclass
class Table:
    header: list[str]
    # (row number, {column: cell text}) for every non-blank row.
    rows: list[tuple[int, dict[str, str]]]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(lines: Iterable[Sequence[Any]]) -> Table:
    lines = iter(lines)
    header = [_cell_text(cell).lower() for cell in next(lines, [])]
    if not any(header):
        raise ValidationError({"file": ["The file is empty: the first row must name the columns."]})
    rows = []
    for number, line in enumerate(lines, start=2):
        if number > MAX_ROWS + 1:
            raise ValidationError({"file": [f"The file has more than {MAX_ROWS} rows; split it."]})
        cells = [_cell_text(cell) for cell in line]
        if any(cells):
            rows.append(
                (number, {column: cells[i] if i < len(cells) else "" for i, column in enumerate(header)})
            )
    return Table(header=header, rows=rows)


def _read_xlsx(file: IO[bytes]) -> Table:
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ValidationError({"file": ["This is not a readable XLSX file."]}) from exc
    try:
        return _table(workbook.active.iter_rows(values_only=True))
    finally:
        workbook.close()


def _read_csv(file: IO[bytes]) -> Table:
    try:
        text = file.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            {"file": ["The file must be a UTF-8 encoded CSV or an XLSX workbook."]}
        ) from exc
    first_line = text.split("\n", 1)[0]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(first_line, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return _table(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise ValidationError({"file": [f"The CSV file is malformed: {exc}."]}) from exc


def read_table(file: IO[bytes], filename: str = "") -> Table:
    """Read a CSV or XLSX upload; XLSX is recognised by its name or its zip signature."""
    signature = file.read(4)
    file.seek(0)
    if filename.lower().endswith(".xlsx") or signature == b"PK\x03\x04":
        return _read_xlsx(file)
    return _read_csv(file)


def write_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Sheet") -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    sheet.append(list(header))
    for row in rows:
        sheet.append([spreadsheet_safe(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
