"""Every write on an order answers with the order exactly as the detail shows it right after:
the services hand their rows to the answer instead of it being read back, so a row left out
(a refund, the new history entry, the code) would show here."""

import pytest

from catalog.tests.factories import CategoryFactory, ProductFactory
from orders.models import OrderStatus
from orders.services import order_set_status
from orders.tests.factories import ADDRESS, DiscountCodeFactory, place_order

URL = "/api/v1/orders/"


@pytest.fixture
def products():
    category = CategoryFactory()
    return [ProductFactory(stock=20, category=category) for _ in range(2)]


def _detail(client, order_id) -> dict:
    response = client.get(f"{URL}{order_id}/")
    assert response.status_code == 200
    return response.json()


def _step(client, order_id, status, note="") -> dict:
    response = client.post(f"{URL}{order_id}/status/", {"status": status, "note": note}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_placing_answers_the_order_as_the_detail_shows_it(customer, customer_client, products):
    DiscountCodeFactory(code="TENOFF")
    body = {
        "items": [{"product": product.pk, "quantity": 2} for product in products],
        "shipping_address": ADDRESS,
        "discount_code": "TENOFF",
    }

    placed = customer_client.post(URL, body, format="json")

    assert placed.status_code == 201
    assert placed.json()["discount_code"] == "TENOFF"
    assert placed.json() == _detail(customer_client, placed.json()["id"])


def test_each_step_of_the_status_machine_answers_the_order_as_the_detail_shows_it(
    customer, salesperson_client, products
):
    DiscountCodeFactory(code="SPRING")
    order = place_order(customer=customer, products=dict.fromkeys(products, 3), discount_code="SPRING")

    for status, note in [("paid", "wire"), ("shipped", ""), ("delivered", "signed")]:
        answer = _step(salesperson_client, order.pk, status, note)
        assert answer["status"] == status
        assert answer["status_history"][-1]["note"] == note
        assert answer == _detail(salesperson_client, order.pk)


def test_refunding_what_is_left_answers_with_the_refunds(customer, salesperson, salesperson_client, products):
    order = place_order(customer=customer, products=dict.fromkeys(products, 2))
    for status in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        order_set_status(order=order, to_status=status, actor=salesperson)
    partial = salesperson_client.post(
        f"{URL}{order.pk}/refunds/",
        {"items": [{"product": products[0].pk, "quantity": 1}], "reason": "damaged"},
        format="json",
    )
    assert partial.status_code == 201, partial.content

    answer = _step(salesperson_client, order.pk, "refunded")

    assert answer["status"] == "refunded"
    assert len(answer["refunds"]) == 2
    assert answer == _detail(salesperson_client, order.pk)


@pytest.mark.parametrize("paid_first", [False, True])
def test_cancelling_answers_the_order_as_the_detail_shows_it(
    customer, salesperson, salesperson_client, products, paid_first
):
    order = place_order(customer=customer, products={products[0]: 1})
    if paid_first:
        order_set_status(order=order, to_status=OrderStatus.PAID, actor=salesperson)

    by_status = _step(salesperson_client, order.pk, "cancelled", "out of stock")

    assert by_status == _detail(salesperson_client, order.pk)


def test_the_owner_cancelling_and_editing_get_the_order_as_the_detail_shows_it(
    customer, customer_client, products
):
    edited = place_order(customer=customer, products={products[0]: 1})
    cancelled = place_order(customer=customer, products={products[1]: 1})

    patch = customer_client.patch(
        f"{URL}{edited.pk}/", {"items": [{"product": products[1].pk, "quantity": 4}]}, format="json"
    )
    cancel = customer_client.post(f"{URL}{cancelled.pk}/cancel/", {}, format="json")

    assert patch.status_code == cancel.status_code == 200
    assert patch.json()["items"][0]["quantity"] == 4
    assert patch.json() == _detail(customer_client, edited.pk)
    assert cancel.json()["status"] == "cancelled"
    assert cancel.json() == _detail(customer_client, cancelled.pk)
