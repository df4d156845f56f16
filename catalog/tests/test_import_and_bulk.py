import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from audit.models import AuditEntry
from catalog.models import Product
from catalog.tests.factories import CategoryFactory, ProductFactory
from inventory.models import Stock, StockMovement

pytestmark = pytest.mark.django_db

HEADER = "sku,name,description,price,cost_price,category,status,stock"


def _csv(*lines: str, name: str = "products.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\n".join([HEADER, *lines]).encode(), content_type="text/csv")


def _xlsx(rows: list[list], name: str = "products.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def _import(client, upload, **data):
    return client.post("/api/v1/products/import/", {"file": upload, **data}, format="multipart")


@pytest.fixture
def lamps():
    return CategoryFactory(slug="lamps")


def test_csv_import_creates_and_updates_by_sku_with_stock_movements(salesperson_client, salesperson, lamps):
    existing = ProductFactory(sku="OLD-1", name="Old name", price=Decimal("5.00"), stock=10)

    response = _import(
        salesperson_client,
        _csv(
            "NEW-1,Desk lamp,Bright,24.50,10.00,lamps,active,7",
            "OLD-1,New name,,6.00,,,,4",
        ),
    )

    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 1, "updated": 1, "dry_run": False}
    new = Product.objects.get(sku="NEW-1")
    assert (new.name, new.price, new.cost_price, new.category) == (
        "Desk lamp",
        Decimal("24.50"),
        Decimal("10.00"),
        lamps,
    )
    assert Stock.objects.get(product=new).quantity == 7
    existing.refresh_from_db()
    # Empty cells keep the old values.
    assert (existing.name, existing.price, existing.cost_price) == (
        "New name",
        Decimal("6.00"),
        Decimal("12.00"),
    )
    assert Stock.objects.get(product=existing).quantity == 4
    assert StockMovement.objects.filter(product=existing).first().reason == "correction"
    assert StockMovement.objects.filter(product=new).get().reason == "restock"
    assert AuditEntry.objects.filter(action="import", actor=salesperson).count() == 1
    assert AuditEntry.objects.filter(action="create", entity_id=str(new.pk)).exists()
    assert AuditEntry.objects.get(action="update", entity_id=str(existing.pk)).changes["price"] == [
        "5.00",
        "6.00",
    ]


def test_one_bad_row_writes_nothing_and_names_the_row(ceo_client, lamps):
    before = (Product.objects.count(), StockMovement.objects.count(), AuditEntry.objects.count())

    response = _import(
        ceo_client,
        _csv(
            "OK-1,Good,,10.00,5.00,lamps,active,3",
            "BAD-1,Bad,,0,5.00,lamps,active,3",
            "OK-2,Also good,,10.00,5.00,lamps,active,3",
        ),
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(3, "price")]
    assert errors[0]["message"]
    assert (Product.objects.count(), StockMovement.objects.count(), AuditEntry.objects.count()) == before


def test_a_stock_beyond_what_a_stock_row_holds_is_a_row_error(ceo_client, lamps):
    response = _import(ceo_client, _csv("BIG-1,Big,,10.00,5.00,lamps,active,99999999999"))

    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(2, "stock")]
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("NUL\x00SKU,Name,,10.00,5.00,lamps,active,1", "sku"),
        ("NUL-1,Na\x00me,,10.00,5.00,lamps,active,1", "name"),
        ("SNAN-1,Name,,10.00,5.00,lamps,active,sNaN", "stock"),
    ],
)
def test_cells_the_database_cannot_take_are_row_errors_not_500(ceo_client, lamps, line, field):
    response = _import(ceo_client, _csv(line))

    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(2, field)]
    assert not Product.objects.exists()


def test_bulk_item_with_a_nul_in_its_category_is_an_item_error(ceo_client, lamps):
    item = {"sku": "B-1", "name": "Lamp", "price": "10.00", "cost_price": "5.00", "category": "lam\x00ps"}

    response = ceo_client.post("/api/v1/products/bulk/", [item], format="json")

    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(0, "category")]
    assert not Product.objects.exists()


def test_a_sku_with_a_slash_is_a_row_error(ceo_client, lamps):
    response = _import(ceo_client, _csv("A/B,Slashed,,10.00,5.00,lamps,active,1"))

    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(2, "sku")]
    assert not Product.objects.exists()


def test_every_error_of_every_row_is_reported(ceo_client, lamps):
    ProductFactory(sku="DUP")
    response = _import(
        ceo_client,
        _csv(
            "A,,,abc,-1,nowhere,sold,x",
            "B,Fine,,1.00,0.50,lamps,active,-2",
            "B,Again,,1.00,0.50,lamps,active,1",
            ",No sku,,1.00,0.50,,,",
        ),
    )

    assert response.status_code == 400
    reported = {(e["row"], e["field"]) for e in response.json()["errors"]}
    assert reported == {
        (2, "name"),
        (2, "price"),
        (2, "cost_price"),
        (2, "category"),
        (2, "status"),
        (2, "stock"),
        (3, "stock"),
        (4, "sku"),
        (5, "sku"),
    }
    assert Product.objects.count() == 1


def test_unknown_columns_and_missing_sku_column_are_reported_on_row_1(ceo_client):
    upload = SimpleUploadedFile("p.csv", b"code,name,cost\nX,Y,1\n")

    response = _import(ceo_client, upload)

    assert response.status_code == 400
    assert {(e["row"], e["field"]) for e in response.json()["errors"]} == {
        (1, "code"),
        (1, "cost"),
        (1, "sku"),
    }


def test_xlsx_import_works(salesperson_client, lamps):
    response = _import(
        salesperson_client,
        _xlsx(
            [
                ["X-1", "Lamp", "Nice", 19.99, 8, "lamps", "active", 5],
                ["X-2", "Shade", None, 4.5, 1.25, None, None, None],
            ]
        ),
    )

    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 2
    lamp = Product.objects.get(sku="X-1")
    assert (lamp.price, lamp.cost_price) == (Decimal("19.99"), Decimal("8.00"))
    assert Stock.objects.get(product=lamp).quantity == 5
    shade = Product.objects.get(sku="X-2")
    assert (shade.price, shade.status, shade.category) == (Decimal("4.50"), "active", None)


def test_xlsx_with_a_bad_row_names_it(salesperson_client, lamps):
    response = _import(
        salesperson_client,
        _xlsx([["X-1", "Lamp", "", 19.99, 8, "lamps", "active", 5], ["X-2", "Shade", "", -3, 1, "", "", ""]]),
    )

    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(3, "price")]
    assert not Product.objects.exists()


def test_dry_run_validates_and_counts_but_writes_nothing(ceo_client, lamps):
    ProductFactory(sku="OLD-1", name="Old", stock=2)
    before = (Product.objects.count(), StockMovement.objects.count(), AuditEntry.objects.count())

    response = _import(
        ceo_client, _csv("NEW-1,Lamp,,10.00,5.00,lamps,active,3", "OLD-1,Renamed,,,,,,9"), dry_run="true"
    )

    assert response.status_code == 200
    assert response.json() == {"created": 1, "updated": 1, "dry_run": True}
    assert (Product.objects.count(), StockMovement.objects.count(), AuditEntry.objects.count()) == before
    assert Product.objects.get(sku="OLD-1").name == "Old"


def test_semicolon_separated_csv_with_bom_is_read(ceo_client, lamps):
    content = "\ufeffsku;name;price;cost_price\nSEMI-1;Semi;3.00;1.00\n".encode()

    response = _import(ceo_client, SimpleUploadedFile("excel.csv", content))

    assert response.status_code == 200, response.json()
    assert Product.objects.filter(sku="SEMI-1").exists()


@pytest.mark.parametrize("content", [b"\xff\xfe\x00garbage", b"PK\x03\x04not really a zip"])
def test_unreadable_file_is_400(ceo_client, content):
    response = _import(ceo_client, SimpleUploadedFile("x.bin", content))

    assert response.status_code == 400
    assert "file" in response.json()


def test_missing_file_is_400(ceo_client):
    response = ceo_client.post("/api/v1/products/import/", {}, format="multipart")

    assert response.status_code == 400
    assert "file" in response.json()


def test_file_over_the_size_limit_is_413(ceo_client, settings, lamps):
    settings.PRODUCT_IMPORT_MAX_BYTES = 50

    response = _import(ceo_client, _csv("BIG-1,A product with a long name,,10.00,5.00,lamps,active,3"))

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not Product.objects.exists()


# Bulk -----------------------------------------------------------------------------------------------


def _item(sku: str, **overrides):
    return {
        "sku": sku,
        "name": f"Item {sku}",
        "price": "3.00",
        "cost_price": "1.00",
        "category": "lamps",
        **overrides,
    }


def test_bulk_creates_every_product(salesperson_client, lamps):
    response = salesperson_client.post(
        "/api/v1/products/bulk/", [_item("B-1", stock=2), _item("B-2")], format="json"
    )

    assert response.status_code == 201, response.json()
    assert [p["sku"] for p in response.json()] == ["B-1", "B-2"]
    assert response.json()[0]["stock"] == 2
    assert AuditEntry.objects.filter(action="create", entity_type="catalog.product").count() == 2


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([_item("B-1"), _item("B-2", price="0")], [(1, "price")]),
        ([_item("B-1"), _item("B-1")], [(1, "sku")]),
        ([_item("B-1"), _item("EXISTS")], [(1, "sku")]),
        ([_item("B-1", category="nope"), _item("B-2")], [(0, "category")]),
    ],
)
def test_bulk_is_all_or_nothing(ceo_client, lamps, items, expected):
    ProductFactory(sku="EXISTS")

    response = ceo_client.post("/api/v1/products/bulk/", items, format="json")

    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == expected
    assert list(Product.objects.values_list("sku", flat=True)) == ["EXISTS"]


@pytest.mark.parametrize("body", [{"sku": "not-a-list"}, []])
def test_bulk_needs_a_non_empty_list(ceo_client, body):
    response = ceo_client.post("/api/v1/products/bulk/", body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]


def test_too_many_rows_is_400_before_anything_is_read_into_products(ceo_client, monkeypatch):
    monkeypatch.setattr("catalog.tabular.MAX_ROWS", 2)

    response = _import(ceo_client, _csv("R-1,A,,1.00,0.50,,,", "R-2,B,,1.00,0.50,,,", "R-3,C,,1.00,0.50,,,"))

    assert response.status_code == 400
    assert "more than 2 rows" in response.json()["file"][0]
    assert not Product.objects.exists()


@pytest.mark.parametrize("item", [None, 1, "x", []])
def test_a_bulk_item_that_is_not_an_object_is_a_row_error_not_a_500(ceo_client, item):
    response = ceo_client.post("/api/v1/products/bulk/", [item], format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["index"] == 0
    assert Product.objects.count() == 0
