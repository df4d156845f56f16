"""Locations and stock per location in the admin."""

import pytest
from django.test import Client

from audit.models import AuditEntry
from catalog.models import SalesChannel
from catalog.tests.factories import ProductFactory
from inventory.models import Location, LocationStock, MovementReason, Stock
from inventory.services import stock_adjust

pytestmark = pytest.mark.django_db
LOCATIONS = "/admin/inventory/location/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_ceo_adds_a_location_through_the_service(ceo):
    retail = SalesChannel.objects.get(code="retail")

    response = _client(ceo).post(
        f"{LOCATIONS}add/",
        {
            "code": "store-1",
            "name": "Store One",
            "kind": "store",
            "is_active": "on",
            "priority": 20,
            "channels": [retail.pk],
        },
    )

    assert response.status_code == 302
    store = Location.objects.get(code="store-1")
    assert list(store.channels.values_list("code", flat=True)) == ["retail"]
    assert AuditEntry.objects.filter(entity_type="inventory.location", action="create").count() == 1


def test_a_salesperson_sees_locations_but_cannot_add_or_change_them(salesperson):
    client = _client(salesperson)

    assert client.get(LOCATIONS).status_code == 200
    assert client.get(f"{LOCATIONS}add/").status_code == 403
    assert (
        client.post(
            f"{LOCATIONS}add/", {"code": "x", "name": "X", "kind": "store", "priority": 1}
        ).status_code
        == 403
    )
    assert not Location.objects.filter(code="x").exists()


def test_stock_page_and_product_page_show_stock_per_location(salesperson):
    product = ProductFactory(sku="LAMP-1", stock=3)
    store = Location.objects.create(code="store-1", name="Store One", kind="store")
    stock_adjust(product=product, actor=salesperson, reason=MovementReason.RESTOCK, delta=2, location=store)
    client = _client(salesperson)

    stock_page = client.get(f"/admin/inventory/stock/{Stock.objects.get(product=product).pk}/change/")
    product_page = client.get(f"/admin/catalog/product/{product.pk}/change/")

    assert "Store One" in stock_page.content.decode()
    assert "Store One: 2" in product_page.content.decode()


def test_the_adjust_action_adjusts_at_the_chosen_location(salesperson):
    product = ProductFactory(sku="LAMP-2", stock=3)
    Location.objects.create(code="store-1", name="Store One", kind="store")
    stock = Stock.objects.get(product=product)

    _client(salesperson).post(
        "/admin/inventory/stock/",
        {
            "action": "adjust_stock",
            "_selected_action": [stock.pk],
            "apply": "1",
            "mode": "delta",
            "amount": 4,
            "reason": "restock",
            "location": "store-1",
        },
    )

    assert LocationStock.objects.get(stock=stock, location__code="store-1").quantity == 4
    assert Stock.objects.get(pk=stock.pk).quantity == 7
