import csv
import io
from decimal import Decimal

from salesbackend.spreadsheets import write_csv


def _read(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode())))


def test_text_that_a_spreadsheet_would_run_is_quoted():
    data = write_csv(["name", "note"], [['=HYPERLINK("http://evil")', "@SUM(A1)"], ["-2+3", "+cmd"]])

    assert _read(data)[1:] == [['\'=HYPERLINK("http://evil")', "'@SUM(A1)"], ["'-2+3", "'+cmd"]]


def test_numbers_and_plain_text_pass_unchanged():
    data = write_csv(["sku", "price", "delta"], [["SKU-1", Decimal("-1.50"), -3]])

    assert _read(data) == [["sku", "price", "delta"], ["SKU-1", "-1.50", "-3"]]


def test_reading_back_takes_off_exactly_the_quote_the_export_added():
    from salesbackend.spreadsheets import spreadsheet_safe, spreadsheet_text

    for text in ["'-90s mix", "=SUM(A1)", "''x", "+1", "@a", "'", "'plain", "plain", "", "-"]:
        assert spreadsheet_text(spreadsheet_safe(text)) == text
    # Text nobody guarded keeps its quote: only a quote before a guarded character is a guard.
    assert spreadsheet_text("'plain") == "'plain"
