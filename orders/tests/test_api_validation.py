from decimal import Decimal

import pytest

from catalog.models import ProductStatus, SalesChannel
from catalog.tests.factories import ProductFactory
from inventory.models import Stock, StockMovement
from orders.models import Order
from orders.tests.factories import ADDRESS

pytestmark = pytest.mark.django_db
URL = "/api/v1/orders/"


@pytest.fixture
def product():
    return ProductFactory(stock=5)


def _post(client, product, *, items=None, **overrides):
    body = {
        "items": items or [{"product": product.pk, "quantity": 1}],
        "shipping_address": ADDRESS,
        **overrides,
    }
    return client.post(URL, body, format="json")


def _assert_nothing_placed(product):
    assert not Order.objects.exists()
    assert Stock.objects.get(product=product).quantity == 5
    assert StockMovement.objects.filter(order_id__isnull=False).count() == 0


@pytest.mark.parametrize("quantity", [0, -1, 1001, "x", "3", 2.5, True, None])
def test_quantity_must_be_an_integer_from_1_to_1000(customer_client, product, quantity):
    response = _post(customer_client, product, items=[{"product": product.pk, "quantity": quantity}])

    assert response.status_code == 400
    assert "quantity" in response.json()["items"]["0"]  # DRF keys list errors by index
    _assert_nothing_placed(product)


def test_quantity_1000_is_accepted(customer_client):
    plenty = ProductFactory(stock=1000)

    response = _post(customer_client, plenty, items=[{"product": plenty.pk, "quantity": 1000}])

    assert response.status_code == 201


def test_repeated_lines_of_one_product_merge_within_the_1000_limit(customer_client):
    plenty = ProductFactory(stock=5000)

    response = _post(
        customer_client,
        plenty,
        items=[{"product": plenty.pk, "quantity": 600}, {"sku": plenty.sku, "quantity": 600}],
    )

    assert response.status_code == 400
    assert "1000" in response.json()["items"][0]
    assert not Order.objects.exists()
    assert Stock.objects.get(product=plenty).quantity == 5000


@pytest.mark.parametrize("country", ["XX", "United Kingdom", "GBR", "", 44])
def test_country_must_be_an_iso_alpha_2_code(customer_client, product, country):
    response = _post(customer_client, product, shipping_address={**ADDRESS, "country": country})

    assert response.status_code == 400
    assert "country" in response.json()["shipping_address"]
    _assert_nothing_placed(product)


def test_billing_country_is_validated_too(customer_client, product):
    response = _post(customer_client, product, billing_address={**ADDRESS, "country": "ZZ"})

    assert response.status_code == 400
    assert "country" in response.json()["billing_address"]


@pytest.mark.parametrize("missing", ["name", "line1", "city", "postal_code", "country"])
def test_address_fields_are_required(customer_client, product, missing):
    address = {k: v for k, v in ADDRESS.items() if k != missing}

    response = _post(customer_client, product, shipping_address=address)

    assert response.status_code == 400
    assert missing in response.json()["shipping_address"]


@pytest.mark.parametrize("items", [[], None, "everything", [{"quantity": 1}]])
def test_items_must_be_a_non_empty_list_of_product_lines(customer_client, product, items):
    body = {"items": items, "shipping_address": ADDRESS}

    response = customer_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert "items" in response.json()
    _assert_nothing_placed(product)


def test_a_line_names_a_product_or_a_sku_not_both(customer_client, product):
    response = _post(
        customer_client, product, items=[{"product": product.pk, "sku": product.sku, "quantity": 1}]
    )

    assert response.status_code == 400


@pytest.mark.parametrize("code", ["carrier-pigeon", ""])
def test_unknown_channel_is_a_400(customer_client, product, code):
    response = _post(customer_client, product, channel=code)

    assert response.status_code == 400
    assert "channel" in response.json()
    _assert_nothing_placed(product)


def test_inactive_channel_is_a_400(customer_client, product):
    SalesChannel.objects.filter(code="retail").update(is_active=False)

    response = _post(customer_client, product, channel="retail")

    assert response.status_code == 400
    assert "channel" in response.json()


@pytest.mark.parametrize("line", [{"product": 987654, "quantity": 1}, {"sku": "NO-SUCH-SKU", "quantity": 1}])
def test_unknown_product_is_a_400(customer_client, product, line):
    response = _post(customer_client, product, items=[{"product": product.pk, "quantity": 1}, line])

    assert response.status_code == 400
    assert "Unknown product" in response.json()["items"][0]
    _assert_nothing_placed(product)


@pytest.mark.parametrize("product_id", [2**63, 10**30, 0, -5])
def test_a_product_id_no_row_can_have_is_a_400(customer_client, product, product_id):
    response = _post(customer_client, product, items=[{"product": product_id, "quantity": 1}])

    assert response.status_code == 400
    assert "product" in response.json()["items"]["0"]
    _assert_nothing_placed(product)


@pytest.mark.parametrize("status", [ProductStatus.INACTIVE, ProductStatus.ARCHIVED])
def test_non_active_product_is_a_400(customer_client, product, status):
    hidden = ProductFactory(status=status, stock=5)

    response = _post(customer_client, product, items=[{"product": hidden.pk, "quantity": 1}])

    assert response.status_code == 400
    assert "items" in response.json()
    _assert_nothing_placed(product)


@pytest.mark.parametrize("discount", ["-1.00", "abc", "1.001"])
def test_malformed_discount_is_a_400(salesperson_client, customer, product, discount):
    response = _post(salesperson_client, product, customer=customer.pk, discount=discount)

    assert response.status_code == 400
    assert "discount" in response.json()
    _assert_nothing_placed(product)


def test_discount_above_the_subtotal_is_a_400(salesperson_client, customer, product):
    response = _post(salesperson_client, product, customer=customer.pk, discount="19.99")
    too_much = _post(salesperson_client, product, customer=customer.pk, discount="20.00")

    assert response.status_code == 201
    assert too_much.status_code == 400
    assert "discount" in too_much.json()


def test_a_body_that_is_not_json_is_a_400(customer_client):
    response = customer_client.post(URL, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_an_order_worth_more_than_the_money_columns_hold_is_a_400(customer_client):
    dear = [ProductFactory(price=Decimal("99999999.99"), stock=1000) for _ in range(3)]
    body = {"items": [{"product": p.pk, "quantity": 1000} for p in dear], "shipping_address": ADDRESS}

    response = customer_client.post("/api/v1/orders/", body)

    assert response.status_code == 400
    assert "items" in response.json()
    assert Order.objects.count() == 0
    assert all(Stock.objects.get(product=p).quantity == 1000 for p in dear)


@pytest.mark.parametrize("country", ["12", "012", "DZA", "Algeria", "X1"])
def test_the_country_is_an_alpha_2_code(customer_client, country):
    product = ProductFactory(stock=5)
    body = {
        "items": [{"product": product.pk, "quantity": 1}],
        "shipping_address": {**ADDRESS, "country": country},
    }

    response = customer_client.post("/api/v1/orders/", body)

    assert response.status_code == 400
    assert "country" in response.json()["shipping_address"]
