"""Locations through the API: the CEO writes, staff read, customers never see one; inventory
per location; movements with their location."""

import pytest

from audit.models import AuditEntry
from catalog.models import SalesChannel
from catalog.tests.factories import ProductFactory
from inventory.models import Location, MovementReason
from inventory.services import stock_adjust

pytestmark = pytest.mark.django_db
URL = "/api/v1/locations/"
NEW = {"code": "store-1", "name": "Store One", "kind": "store", "priority": 50, "channels": ["retail"]}


@pytest.fixture
def store():
    return Location.objects.create(code="store-1", name="Store One", kind="store", priority=50)


@pytest.mark.parametrize(
    ("who", "list_code", "create_code"),
    [("ceo", 200, 201), ("salesperson", 200, 403), ("customer", 403, 403), ("anon", 401, 401)],
)
def test_role_matrix_for_locations(request, who, list_code, create_code):
    client = request.getfixturevalue(f"{who}_client")
    entries = AuditEntry.objects.count()

    assert client.get(URL).status_code == list_code
    assert client.get(f"{URL}main/").status_code == list_code
    assert client.post(URL, NEW, format="json").status_code == create_code
    patched = client.patch(f"{URL}main/", {"name": "Renamed"}, format="json").status_code
    assert patched == (200 if who == "ceo" else create_code)

    if who != "ceo":  # refused requests change nothing
        assert not Location.objects.filter(code="store-1").exists()
        assert Location.objects.get(code="main").name != "Renamed"
        assert AuditEntry.objects.count() == entries


def test_ceo_creates_and_changes_a_location(ceo_client):
    created = ceo_client.post(URL, NEW, format="json")

    assert created.status_code == 201
    assert created.json() == {**NEW, "is_active": True}
    changed = ceo_client.patch(f"{URL}store-1/", {"priority": 5, "channels": []}, format="json").json()
    assert (changed["priority"], changed["channels"]) == (5, [])
    assert AuditEntry.objects.filter(entity_type="inventory.location").count() == 2


def test_deactivating_a_location_that_holds_stock_is_409(ceo_client, ceo, store):
    product = ProductFactory(stock=0)
    stock_adjust(product=product, actor=ceo, reason=MovementReason.RESTOCK, delta=2, location=store)

    response = ceo_client.patch(f"{URL}store-1/", {"is_active": False}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "location_not_empty"
    assert Location.objects.get(code="store-1").is_active


def test_locations_filter_by_kind_and_channel(salesperson_client, store):
    store.channels.set([])
    codes = lambda query: [row["code"] for row in salesperson_client.get(URL + query).json()["results"]]  # noqa: E731

    assert codes("?kind=store") == ["store-1"]
    assert codes("?kind=warehouse") == ["main"]
    assert codes("?channel=web") == ["main", "store-1"]


def test_inventory_per_location_and_movements_with_their_location(salesperson_client, salesperson, store):
    ProductFactory(sku="INV-9", stock=3)

    adjusted = salesperson_client.post(
        "/api/v1/inventory/INV-9/adjust/",
        {"delta": 4, "reason": "restock", "location": "store-1"},
        format="json",
    )

    assert adjusted.status_code == 200
    body = adjusted.json()
    assert body["quantity"] == 7
    assert {row["location"]: row["quantity"] for row in body["locations"]} == {"main": 3, "store-1": 4}
    rows = salesperson_client.get("/api/v1/inventory/?location=store-1").json()["results"]
    assert [(row["sku"], row["quantity"], row["location"]) for row in rows] == [("INV-9", 4, "store-1")]
    moves = salesperson_client.get("/api/v1/inventory/INV-9/movements/?location=store-1").json()["results"]
    assert [(m["location"], m["delta"]) for m in moves] == [("store-1", 4)]


def test_unknown_location_is_400_never_500(salesperson_client):
    ProductFactory(sku="INV-8", stock=1)

    assert salesperson_client.get("/api/v1/inventory/?location=nowhere").status_code == 400
    assert salesperson_client.get("/api/v1/inventory/INV-8/movements/?location=nowhere").status_code == 400
    adjusted = salesperson_client.post(
        "/api/v1/inventory/INV-8/adjust/",
        {"delta": 1, "reason": "restock", "location": "nowhere"},
        format="json",
    )
    assert adjusted.status_code == 400
    assert "location" in adjusted.json()


def test_customers_never_see_inventory_or_locations(customer_client):
    ProductFactory(sku="INV-7", stock=1)

    assert customer_client.get("/api/v1/inventory/?location=main").status_code == 403
    assert customer_client.get("/api/v1/locations/main/").status_code == 403
    product = customer_client.get("/api/v1/products/sku/INV-7/").json()
    assert "location" not in str(product)


def test_a_customer_sees_the_stock_of_the_channel_they_buy_through(customer_client, salesperson):
    product = ProductFactory(sku="INV-6", stock=2)  # at main: every channel
    shop = Location.objects.create(code="shop", name="Shop", kind="store")
    shop.channels.set(SalesChannel.objects.filter(code="retail"))
    stock_adjust(product=product, actor=salesperson, reason=MovementReason.RESTOCK, delta=5, location=shop)

    web = customer_client.get("/api/v1/products/sku/INV-6/").json()
    retail = customer_client.get("/api/v1/products/sku/INV-6/?channel=retail").json()
    listed = customer_client.get("/api/v1/products/?channel=retail&search=INV-6").json()["results"]

    assert (web["stock"], retail["stock"], listed[0]["stock"]) == (2, 7, 7)
    assert customer_client.get("/api/v1/products/?channel=nowhere").status_code == 400


@pytest.mark.parametrize(
    ("who", "expected"), [("ceo", 200), ("salesperson", 200), ("customer", 403), ("anon", 401)]
)
def test_role_matrix_for_what_takes_a_location(request, who, expected, store):
    product = ProductFactory(sku="INV-5", stock=2)
    client = request.getfixturevalue(f"{who}_client")
    movements = product.stock_movements.count()

    for url in (
        "/api/v1/inventory/?location=store-1",
        "/api/v1/inventory/INV-5/",
        "/api/v1/inventory/INV-5/movements/?location=store-1",
        "/api/v1/analytics/inventory/?location=store-1",
    ):
        assert client.get(url).status_code == expected, url
    adjusted = client.post(
        "/api/v1/inventory/INV-5/adjust/",
        {"delta": 1, "reason": "restock", "location": "store-1"},
        format="json",
    )

    assert adjusted.status_code == expected
    if expected != 200:  # refused: nothing moved
        assert product.stock_movements.count() == movements
