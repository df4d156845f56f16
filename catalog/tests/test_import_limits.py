"""What one product file may cost to read, whatever it claims: crafted workbooks are 400s that
finish fast, uploads past the limit are refused while they arrive, error lists are capped."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from catalog import tabular
from catalog.models import Product
from catalog.tabular import MAX_SHARED_STRINGS
from catalog.tests.factories import CategoryFactory, ProductFactory
from catalog.tests.test_import_and_bulk import HEADER, _csv, _import

pytestmark = pytest.mark.django_db

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="xl/workbook.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="worksheets/sheet1.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>
<Relationship Id="rId2" Target="sharedStrings.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>
</Relationships>"""
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _inline_row(number: int, cells: list[str]) -> str:
    columns = "ABCDEFGHIJ"
    return (
        f'<row r="{number}">'
        + "".join(
            f'<c r="{columns[i]}{number}" t="inlineStr"><is><t>{text}</t></is></c>'
            for i, text in enumerate(cells)
        )
        + "</row>"
    )


def _workbook(sheet_data: str, *, dimension: str = "A1:H2", shared_strings: str = "") -> SimpleUploadedFile:
    """An XLSX written by hand, zipped: what an attacker can craft."""
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SHEET_NS}">'
        f'<dimension ref="{dimension}"/><sheetData>{sheet_data}</sheetData></worksheet>'
    )
    strings = shared_strings or f'<sst xmlns="{SHEET_NS}" count="0" uniqueCount="0"></sst>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        archive.writestr("xl/sharedStrings.xml", strings)
    return SimpleUploadedFile("crafted.xlsx", buffer.getvalue())


@pytest.fixture
def lamps():
    return CategoryFactory(slug="lamps")


def test_a_handmade_workbook_imports(salesperson_client, lamps):
    rows = _inline_row(1, HEADER.split(",")) + _inline_row(
        2, ["HM-1", "Hand made", "", "3.00", "1.00", "lamps"]
    )

    response = _import(salesperson_client, _workbook(rows))

    assert response.status_code == 200, response.json()
    assert Product.objects.filter(sku="HM-1").exists()


def test_a_dimension_claiming_every_column_pads_no_row(salesperson_client, lamps, monkeypatch):
    """<dimension ref="A1:XFD1048576"> made openpyxl pad each row to 16,384 cells (minutes of
    CPU for a 5 KB file); rows are read MAX_COLUMNS wide at most."""
    widths = []
    real_table = tabular._table

    def measured(lines):
        def counted():
            for line in lines:
                widths.append(len(line))
                yield line

        return real_table(counted())

    monkeypatch.setattr(tabular, "_table", measured)
    rows = _inline_row(1, HEADER.split(",")) + "".join(
        _inline_row(n, [f"DIM-{n}", "Lamp", "", "3.00", "1.00", "lamps"]) for n in range(2, 52)
    )

    response = _import(salesperson_client, _workbook(rows, dimension="A1:XFD1048576"))

    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 50
    assert max(widths) <= tabular.MAX_COLUMNS


def test_too_many_shared_strings_are_refused_before_openpyxl_expands_them(salesperson_client):
    strings = f'<sst xmlns="{SHEET_NS}">' + "<si/>" * (MAX_SHARED_STRINGS + 1) + "</sst>"

    response = _import(salesperson_client, _workbook(_inline_row(1, ["sku"]), shared_strings=strings))

    assert response.status_code == 400
    assert response.json() == {"file": ["The workbook holds too many strings."]}


def test_a_workbook_that_unzips_too_large_is_refused(salesperson_client, settings, monkeypatch):
    monkeypatch.setattr("catalog.tabular.MAX_UNZIPPED_BYTES", 100_000)
    padding = "<!--" + "x" * 200_000 + "-->"

    response = _import(salesperson_client, _workbook(_inline_row(1, ["sku"]) + padding))

    assert response.status_code == 400
    assert response.json() == {"file": ["The workbook is too large once unzipped."]}


@pytest.mark.parametrize(
    "broken",
    ["<row><c><v>1</v>", "<row r='1'><c r='A1' t='s'><v>99</v></c></row>", "&undefined;"],
)
def test_a_malformed_sheet_is_a_400_not_a_server_error(salesperson_client, broken):
    response = _import(salesperson_client, _workbook(broken))

    assert response.status_code == 400
    assert "file" in response.json() or "errors" in response.json()


def test_an_entity_bomb_in_the_shared_strings_is_refused(salesperson_client):
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        f'<sst xmlns="{SHEET_NS}"><si><t>&lol2;</t></si></sst>'
    )

    response = _import(salesperson_client, _workbook(_inline_row(1, ["sku"]), shared_strings=bomb))

    assert response.status_code == 400


def test_error_lists_show_the_first_hundred_and_count_them_all(salesperson_client):
    lines = [f"BAD-{n},Lamp,,not-a-price,1.00,,," for n in range(150)]

    response = _import(salesperson_client, _csv(*lines))

    assert response.status_code == 400
    body = response.json()
    assert len(body["errors"]) == 100
    assert body["error_count"] == 150
    assert Product.objects.count() == 0


def test_an_upload_past_the_limit_is_refused_while_it_arrives(salesperson_client, settings):
    settings.PRODUCT_IMPORT_MAX_BYTES = 1000
    big = _csv(*[f"BIG-{n},Lamp,,3.00,1.00,,," for n in range(200)])

    response = _import(salesperson_client, big)

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_the_upload_handler_stops_at_the_chunk_that_passes_the_limit(settings):
    from django.core.exceptions import RequestDataTooBig

    from salesbackend.uploads import SizeLimitedUploadHandler

    settings.PRODUCT_IMPORT_MAX_BYTES = 10
    handler = SizeLimitedUploadHandler()

    assert handler.receive_data_chunk(b"12345", 0) == b"12345"
    with pytest.raises(RequestDataTooBig):
        handler.receive_data_chunk(b"678901", 5)


def test_the_admin_refuses_an_oversized_upload_too(salesperson, settings):
    settings.PRODUCT_IMPORT_MAX_BYTES = 1000
    client = Client()
    client.force_login(salesperson)
    big = _csv(*[f"BIG-{n},Lamp,,3.00,1.00,,," for n in range(200)])

    response = client.post("/admin/catalog/product/import/", {"file": big, "dry_run": ""})

    assert response.status_code in (400, 413)
    assert Product.objects.count() == 0


def test_export_then_import_keeps_text_that_starts_like_a_formula(salesperson_client, lamps):
    from catalog.tabular import read_table, write_xlsx
    from salesbackend.spreadsheets import write_csv

    ProductFactory(sku="EQ-1", name="=1+2 lamp", description="-5% off, @home", category=lamps)
    header = ["sku", "name", "description"]
    rows = [["EQ-1", "=1+2 lamp", "-5% off, @home"]]

    for data, name in ((write_csv(header, rows), "p.csv"), (write_xlsx(header, rows), "p.xlsx")):
        table = read_table(io.BytesIO(data), name)
        assert table.rows == [(2, {"sku": "EQ-1", "name": "=1+2 lamp", "description": "-5% off, @home"})]
