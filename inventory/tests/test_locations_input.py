"""Location codes as input, found by the fuzzer: a NUL or a lone surrogate where a location code
goes is a 400 on that field (PostgreSQL refuses a NUL, a surrogate cannot be encoded: both were
500s), and nothing changes; `GET inventory/` answers what its schema says, with and without
`?location=`."""

import json

import pytest
from drf_spectacular.generators import SchemaGenerator

from audit.models import AuditEntry
from catalog.tests.factories import ProductFactory
from inventory.models import Location, StockMovement
from orders.models import OrderStatus, Refund, ReturnStatus
from orders.services import order_set_status, return_approve, return_request
from orders.tests.factories import place_order

pytestmark = pytest.mark.django_db
# The fuzzer's text (a character beyond the BMP, written as a surrogate pair, then a NUL), a
# lone surrogate, a plain NUL.
NO_CODES = ["\ud969\udcaem\x00", "\ud969m", "ma\x00in"]


def post_json(client, url, body, method="post"):
    """json.dumps escapes a lone surrogate as \\ud969, as a client on the wire would send it."""
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("code", ["ma\x00in", "\x00"])
def test_a_location_filter_with_a_nul_is_400(salesperson_client, code):
    ProductFactory(sku="INV-1", stock=1)

    for url in ("/api/v1/inventory/", "/api/v1/inventory/INV-1/movements/"):
        response = salesperson_client.get(url, {"location": code})

        assert response.status_code == 400
        assert list(response.json()) == ["location"]


@pytest.mark.parametrize("code", NO_CODES)
def test_location_channels_that_are_no_code_are_400_and_change_nothing(ceo_client, code):
    body = {"code": "shop", "name": "Shop", "kind": "store", "priority": 5, "channels": [code]}
    entries = AuditEntry.objects.count()

    created = post_json(ceo_client, "/api/v1/locations/", body)
    changed = post_json(ceo_client, "/api/v1/locations/main/", {"channels": [code]}, method="patch")

    assert (created.status_code, changed.status_code) == (400, 400)
    assert "channels" in created.json() and "channels" in changed.json()
    assert not Location.objects.filter(code="shop").exists()
    assert not Location.objects.get(code="main").channels.exists()
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize("code", NO_CODES)
def test_an_adjustment_at_a_location_that_is_no_code_is_400(salesperson_client, code):
    ProductFactory(sku="INV-2", stock=1)
    movements = StockMovement.objects.count()

    response = post_json(
        salesperson_client,
        "/api/v1/inventory/INV-2/adjust/",
        {"delta": 1, "reason": "restock", "location": code},
    )

    assert response.status_code == 400
    assert list(response.json()) == ["location"]
    assert StockMovement.objects.count() == movements


def _delivered(customer, staff, product):
    order = place_order(customer=customer, products={product: 2})
    for step in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        order = order_set_status(order=order, to_status=step, actor=staff)
    return order


@pytest.mark.parametrize("code", NO_CODES)
def test_a_refund_restocking_at_a_location_that_is_no_code_is_400(
    customer, salesperson, salesperson_client, code
):
    product = ProductFactory(sku="INV-3", stock=5)
    order = _delivered(customer, salesperson, product)
    movements = StockMovement.objects.count()

    response = post_json(
        salesperson_client,
        f"/api/v1/orders/{order.pk}/refunds/",
        {"items": [{"sku": "INV-3", "quantity": 1}], "reason": "damaged", "location": code},
    )

    assert response.status_code == 400
    assert list(response.json()) == ["location"]
    assert not Refund.objects.exists()
    assert StockMovement.objects.count() == movements


@pytest.mark.parametrize("code", NO_CODES)
def test_a_return_received_at_a_location_that_is_no_code_is_400(
    customer, salesperson, salesperson_client, code
):
    product = ProductFactory(sku="INV-4", stock=5)
    order = _delivered(customer, salesperson, product)
    returned = return_request(
        order=order, lines=[{"product": product.pk, "quantity": 1}], reason="damaged", actor=customer
    )
    return_approve(return_request=returned, actor=salesperson)
    line = {"product": product.pk, "quantity": 1, "condition": "ok", "disposition": "restock"}

    response = post_json(
        salesperson_client, f"/api/v1/returns/{returned.pk}/receive/", {"items": [line], "location": code}
    )

    assert response.status_code == 400
    assert list(response.json()) == ["location"]
    returned.refresh_from_db()
    assert returned.status == ReturnStatus.APPROVED


def test_the_stock_list_answers_as_its_schema_says_with_and_without_a_location(salesperson_client):
    ProductFactory(sku="INV-5", stock=3)
    schema = SchemaGenerator().get_schema(request=None, public=True)
    response_schema = schema["paths"]["/api/v1/inventory/"]["get"]["responses"]["200"]
    page = response_schema["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    row_name = schema["components"]["schemas"][page]["properties"]["results"]["items"]["$ref"].rsplit("/", 1)[
        -1
    ]
    row_schema = schema["components"]["schemas"][row_name]

    for query in ("", "?location=main"):
        rows = salesperson_client.get(f"/api/v1/inventory/{query}").json()["results"]

        assert rows
        for row in rows:
            assert set(row_schema["required"]) <= set(row), query
            assert set(row) <= set(row_schema["properties"]), query
