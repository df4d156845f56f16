"""Red-team report (issue 21): a product file exported and imported back keeps every name as it
was, including names that start with a formula character or with the guard quote itself."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from catalog.models import Product
from catalog.tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

TRICKY_NAMES = [
    "'-90s mix",  # starts with the guard quote, then a formula character
    "=SUM(A1)",
    "''x",
    "+1",
    "@a",
    "'",
    "'plain quote",
    "-5% off",
    "Plain lamp",
]


@pytest.fixture
def staff_admin(salesperson) -> Client:
    client = Client()
    client.force_login(salesperson)
    return client


@pytest.fixture
def tricky_products():
    lamps = CategoryFactory(slug="lamps")
    return [
        ProductFactory(sku=f"RT-{n}", name=name, description=name, category=lamps, stock=1)
        for n, name in enumerate(TRICKY_NAMES)
    ]


@pytest.mark.parametrize(("action", "filename"), [("export_csv", "back.csv"), ("export_xlsx", "back.xlsx")])
def test_exported_names_come_back_unchanged_after_import(
    staff_admin, ceo_client, tricky_products, action, filename
):
    exported = staff_admin.post(
        "/admin/catalog/product/",
        {"action": action, "_selected_action": [product.pk for product in tricky_products]},
    )
    assert exported.status_code == 200
    Product.objects.filter(sku__startswith="RT-").update(name="renamed", description="")

    response = ceo_client.post(
        "/api/v1/products/import/",
        {"file": SimpleUploadedFile(filename, exported.content)},
        format="multipart",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["updated"] == len(TRICKY_NAMES)
    listed = ceo_client.get("/api/v1/products/", {"search": "RT-", "page_size": 100}).json()["results"]
    by_sku = {row["sku"]: (row["name"], row["description"]) for row in listed}
    assert by_sku == {f"RT-{n}": (name, name) for n, name in enumerate(TRICKY_NAMES)}


def test_the_export_still_guards_formulas_and_quotes_in_the_file(staff_admin, tricky_products):
    exported = staff_admin.post(
        "/admin/catalog/product/",
        {"action": "export_csv", "_selected_action": [product.pk for product in tricky_products]},
    )
    xlsx = staff_admin.post(
        "/admin/catalog/product/",
        {"action": "export_xlsx", "_selected_action": [product.pk for product in tricky_products]},
    )

    csv_names = {row[0]: row[1] for row in csv.reader(io.StringIO(exported.content.decode()))}
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    xlsx_names = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    expected = {
        "RT-0": "''-90s mix",
        "RT-1": "'=SUM(A1)",
        "RT-2": "'''x",
        "RT-3": "'+1",
        "RT-4": "'@a",
        "RT-5": "''",
        "RT-6": "''plain quote",
        "RT-7": "'-5% off",
        "RT-8": "Plain lamp",
    }
    assert {sku: csv_names[sku] for sku in expected} == expected
    assert {sku: xlsx_names[sku] for sku in expected} == expected
