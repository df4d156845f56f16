"""Reading and writing spreadsheets (CSV or XLSX) as rows of text cells.

Row numbers are the ones a spreadsheet shows: the header is row 1, the first product row 2.
"""

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException, ElementTree
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from salesbackend.spreadsheets import Formatted, spreadsheet_safe, spreadsheet_text

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A few MB of XLSX can unzip to millions of rows; refuse those before holding them in memory.
MAX_ROWS = 50_000
# What one upload may cost to read, whatever its zip claims: columns read per row (the import
# knows fewer), bytes once unzipped, and shared strings (expanded in full by openpyxl).
MAX_COLUMNS = 32
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024
MAX_SHARED_STRINGS = 200_000
UNREADABLE_XLSX = "This is not a readable XLSX file."


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
    return spreadsheet_text(str(value).strip())


def _table(lines: Iterable[Sequence[Any]]) -> Table:
    lines = iter(lines)
    header = [_cell_text(cell).lower() for cell in next(lines, [])]
    while header and not header[-1]:  # XLSX rows are read MAX_COLUMNS wide
        header.pop()
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


def _check_xlsx_bounds(file: IO[bytes]) -> None:
    """Refuse a workbook before openpyxl expands it: too many bytes once unzipped, or too many
    shared strings (counted while streaming, stopping at the limit)."""
    try:
        with zipfile.ZipFile(file) as archive:
            if sum(member.file_size for member in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise ValidationError({"file": ["The workbook is too large once unzipped."]})
            if "xl/sharedStrings.xml" in archive.namelist():
                with archive.open("xl/sharedStrings.xml") as shared:
                    count = 0
                    for _, element in ElementTree.iterparse(shared):
                        if element.tag.endswith("}si") or element.tag == "si":
                            count += 1
                            if count > MAX_SHARED_STRINGS:
                                raise ValidationError({"file": ["The workbook holds too many strings."]})
                        element.clear()
    except (zipfile.BadZipFile, ParseError, DefusedXmlException, KeyError, OSError, EOFError) as exc:
        raise ValidationError({"file": [UNREADABLE_XLSX]}) from exc
    finally:
        file.seek(0)


def _read_xlsx(file: IO[bytes]) -> Table:
    _check_xlsx_bounds(file)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # whatever openpyxl trips on in a crafted file is the file's fault
        raise ValidationError({"file": [UNREADABLE_XLSX]}) from exc
    try:
        sheet = workbook.active
        # A sheet's <dimension> may claim XFD1048576: ignore it, and read the first columns only,
        # so no row is padded to 16,384 cells.
        sheet.reset_dimensions()
        return _table(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True))
    except ValidationError:
        raise
    except Exception as exc:  # malformed sheet XML (ParseError) and the like
        raise ValidationError({"file": [UNREADABLE_XLSX]}) from exc
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
    """A workbook of one sheet; a `Formatted` cell keeps its number or date with its number format."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    sheet.append(list(header))

    def written(cell: Any) -> Any:
        if isinstance(cell, Formatted):
            formatted = WriteOnlyCell(sheet, value=cell.value)
            formatted.number_format = cell.number_format
            return formatted
        return spreadsheet_safe(cell)

    for row in rows:
        sheet.append([written(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
