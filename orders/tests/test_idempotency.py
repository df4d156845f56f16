import pytest

from catalog.tests.factories import ProductFactory
from inventory.models import MovementReason, Stock, StockMovement
from inventory.services import stock_adjust
from orders.models import IdempotencyKey, Order
from orders.tests.factories import ADDRESS

pytestmark = pytest.mark.django_db
URL = "/api/v1/orders/"


def _body(product, quantity=1, **extra):
    return {"items": [{"product": product.pk, "quantity": quantity}], "shipping_address": ADDRESS, **extra}


def test_a_retry_with_the_same_key_returns_the_first_order_and_takes_stock_once(customer_client):
    product = ProductFactory(stock=5)

    first = customer_client.post(URL, _body(product, 2), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    retry = customer_client.post(URL, _body(product, 2), format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json() == first.json()
    assert Order.objects.count() == 1
    assert Stock.objects.get(product=product).quantity == 3


def test_the_same_key_with_another_body_is_a_conflict(customer_client):
    product = ProductFactory(stock=5)
    customer_client.post(URL, _body(product, 1), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    movements = StockMovement.objects.count()

    reused = customer_client.post(URL, _body(product, 2), format="json", HTTP_IDEMPOTENCY_KEY="k-2")

    assert reused.status_code == 409
    assert reused.json()["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1
    assert StockMovement.objects.count() == movements


def test_keys_belong_to_one_customer(customer_client, other_customer_client):
    product = ProductFactory(stock=5)

    mine = customer_client.post(URL, _body(product), format="json", HTTP_IDEMPOTENCY_KEY="shared")
    theirs = other_customer_client.post(URL, _body(product), format="json", HTTP_IDEMPOTENCY_KEY="shared")

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]


def test_a_failed_request_stores_no_key_so_its_retry_can_succeed(customer_client, salesperson):
    product = ProductFactory(stock=1)

    refused = customer_client.post(URL, _body(product, 2), format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    stock_adjust(product=product, actor=salesperson, reason=MovementReason.RESTOCK, delta=1)
    retried = customer_client.post(URL, _body(product, 2), format="json", HTTP_IDEMPOTENCY_KEY="k-3")

    assert (refused.status_code, retried.status_code) == (409, 201)
    assert IdempotencyKey.objects.get().order_id == retried.json()["id"]


def test_without_a_key_every_post_places_an_order(customer_client):
    product = ProductFactory(stock=5)

    customer_client.post(URL, _body(product), format="json")
    customer_client.post(URL, _body(product), format="json")

    assert Order.objects.count() == 2


def test_an_overlong_key_is_refused(customer_client):
    product = ProductFactory(stock=5)

    response = customer_client.post(URL, _body(product), format="json", HTTP_IDEMPOTENCY_KEY="k" * 256)

    assert response.status_code == 400
    assert not Order.objects.exists()
