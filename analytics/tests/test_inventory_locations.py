"""Inventory insight per location: a location's stock against what orders took from it."""

from decimal import Decimal

import pytest

from catalog.tests.factories import ProductFactory
from inventory.models import Location, MovementReason
from inventory.services import stock_adjust
from orders.models import OrderStatus
from orders.services import order_cancel, order_set_status
from orders.tests.factories import place_order

pytestmark = pytest.mark.django_db
D = Decimal
URL = "/api/v1/analytics/inventory/"


@pytest.fixture
def store():
    return Location.objects.create(code="store-1", name="Store One", kind="store", priority=10)


def test_a_locations_stock_is_judged_against_what_orders_took_from_it(
    customer, salesperson, salesperson_client, store
):
    lamp, desk = ProductFactory(sku="LAMP", stock=3), ProductFactory(sku="DESK", stock=0)
    for product, units in ((lamp, 30), (desk, 4)):
        stock_adjust(
            product=product, actor=salesperson, reason=MovementReason.RESTOCK, delta=units, location=store
        )
    paid = place_order(customer=customer, products={lamp: 18})  # the store alone can fill it
    order_set_status(order=paid, to_status=OrderStatus.PAID, actor=salesperson)
    cancelled = place_order(customer=customer, products={lamp: 6})  # the store's, given back
    order_cancel(order=cancelled, actor=customer)

    at_store = salesperson_client.get(URL, {"location": "store-1", "window_days": 30}).json()
    at_main = salesperson_client.get(URL, {"location": "main", "window_days": 30}).json()
    everywhere = salesperson_client.get(URL, {"window_days": 30}).json()

    row = lambda rows, sku: next(r for r in rows if r["sku"] == sku)  # noqa: E731
    assert (row(at_store, "LAMP")["stock"], row(at_store, "LAMP")["units_per_day"]) == (12, "0.6000")
    assert row(at_store, "LAMP")["days_of_cover"] == "20.00"
    assert (row(at_store, "DESK")["stock"], row(at_store, "DESK")["state"]) == (4, "dead")
    assert (row(at_main, "LAMP")["stock"], row(at_main, "LAMP")["units_per_day"]) == (3, "0.0000")
    assert row(at_main, "LAMP")["state"] == "dead"  # nothing taken from main in the window
    assert (row(everywhere, "LAMP")["stock"], row(everywhere, "LAMP")["units_per_day"]) == (15, "0.6000")


@pytest.mark.parametrize("code", ["nowhere", "ma\x00in"])
def test_an_unknown_location_is_400_on_its_field(salesperson_client, code):
    response = salesperson_client.get(URL, {"location": code})

    assert response.status_code == 400
    assert list(response.json()) == ["location"]


def test_customers_never_reach_a_locations_insight(customer_client):
    assert customer_client.get(URL, {"location": "main"}).status_code == 403


def test_the_inventory_page_offers_the_locations_and_shows_one(client, salesperson, store):
    ProductFactory(sku="LAMP", stock=3)
    client.force_login(salesperson)

    page = client.get("/reports/inventory/", {"location": "store-1"})

    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="location"' in html and 'value="store-1" selected' in html


def test_the_inventory_page_shows_the_stock_value_of_each_location(client, salesperson, store):
    lamp = ProductFactory(sku="LAMP", stock=3, cost_price=D("4.00"))
    ProductFactory(sku="DESK", stock=1, cost_price=D("20.00"))
    stock_adjust(product=lamp, actor=salesperson, reason=MovementReason.RESTOCK, delta=5, location=store)
    client.force_login(salesperson)

    page = client.get("/reports/inventory/")
    csv = client.get("/reports/inventory/", {"format": "csv", "table": "locations"})

    assert page.status_code == 200 and "Stock value by location" in page.content.decode()
    assert ">Store One</td>" in page.content.decode() and ">store-1</td>" not in page.content.decode()
    assert csv.content.decode().splitlines() == [
        "location,name,units,value",
        "main,Main warehouse,4,32.00",  # 3 x 4.00 + 1 x 20.00
        "store-1,Store One,5,20.00",
    ]
