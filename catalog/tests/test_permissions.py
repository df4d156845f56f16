"""Role x endpoint matrix for every catalog endpoint. A refused request changes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEntry
from catalog.models import Category, Product, SalesChannel
from catalog.tests.factories import CategoryFactory, ProductFactory
from inventory.models import StockMovement

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "customer", "salesperson", "ceo")


def _csv_upload():
    return SimpleUploadedFile("p.csv", b"sku,name,price,cost_price\nIMP-1,Imported,3.00,1.00\n")


# (method, path, body, format, expected status per role: anonymous, customer, salesperson, ceo)
ENDPOINTS = [
    ("get", "/api/v1/categories/", None, None, (401, 200, 200, 200)),
    ("get", "/api/v1/categories/shop/", None, None, (401, 200, 200, 200)),
    ("post", "/api/v1/categories/", {"name": "New"}, "json", (401, 403, 201, 201)),
    ("patch", "/api/v1/categories/shop/", {"name": "Renamed"}, "json", (401, 403, 200, 200)),
    ("delete", "/api/v1/categories/empty/", None, None, (401, 403, 204, 204)),
    ("get", "/api/v1/products/", None, None, (401, 200, 200, 200)),
    ("get", "/api/v1/products/{pk}/", None, None, (401, 200, 200, 200)),
    ("get", "/api/v1/products/sku/MATRIX-1/", None, None, (401, 200, 200, 200)),
    (
        "post",
        "/api/v1/products/",
        {"sku": "NEW-1", "name": "New", "price": "2.00", "cost_price": "1.00"},
        "json",
        (401, 403, 201, 201),
    ),
    (
        "put",
        "/api/v1/products/{pk}/",
        {"sku": "MATRIX-1", "name": "Put", "price": "2.00", "cost_price": "1.00"},
        "json",
        (401, 403, 200, 200),
    ),
    ("patch", "/api/v1/products/{pk}/", {"name": "Patched"}, "json", (401, 403, 200, 200)),
    ("delete", "/api/v1/products/{pk}/", None, None, (401, 403, 204, 204)),
    ("post", "/api/v1/products/import/", "csv", "multipart", (401, 403, 200, 200)),
    (
        "post",
        "/api/v1/products/bulk/",
        [{"sku": "BULK-1", "name": "Bulk", "price": "2.00", "cost_price": "1.00"}],
        "json",
        (401, 403, 201, 201),
    ),
    ("get", "/api/v1/channels/", None, None, (401, 200, 200, 200)),
    ("get", "/api/v1/channels/web/", None, None, (401, 200, 200, 200)),
    ("post", "/api/v1/channels/", {"code": "market", "name": "Market"}, "json", (401, 403, 403, 201)),
    ("patch", "/api/v1/channels/web/", {"name": "Online"}, "json", (401, 403, 403, 200)),
]


def _state():
    """Everything a catalog request could change."""
    return (
        list(Category.objects.values_list("slug", "name", "parent_id", "is_active").order_by("slug")),
        list(Product.objects.values_list("sku", "name", "price", "status").order_by("sku")),
        list(SalesChannel.objects.values_list("code", "name", "is_active").order_by("code")),
        StockMovement.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize(("method", "path", "body", "fmt", "expected"), ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_catalog_role_matrix(role_clients, role, method, path, body, fmt, expected):
    shop = CategoryFactory(slug="shop")
    CategoryFactory(slug="empty")
    product = ProductFactory(sku="MATRIX-1", category=shop, stock=3)
    expected_status = dict(zip(ROLES, expected, strict=True))[role]
    before = _state()

    data = {"file": _csv_upload()} if body == "csv" else body
    response = getattr(role_clients[role], method)(path.format(pk=product.pk), data, format=fmt)

    assert response.status_code == expected_status, response.content
    if expected_status >= 400:
        assert response.json()["code"] in {"not_authenticated", "permission_denied"}
        assert _state() == before
    elif method != "get":
        assert _state() != before
