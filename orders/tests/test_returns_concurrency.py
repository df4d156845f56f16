"""Returns raced by real parallel clients on PostgreSQL (threads, each with its own connection):
one receipt and one refund per return, and never more units claimed than were delivered."""

from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from accounts.tests.factories import CustomerFactory, SalespersonFactory
from conftest import client_for
from inventory.models import MovementReason, StockMovement
from orders.ledger import sales_rollup_differences
from orders.models import OPEN_RETURN_STATUSES, OrderStatus, Refund, RefundLine, Return, ReturnLine
from orders.services import order_set_status, return_approve, return_receive, return_request
from orders.tests.factories import place_order
from orders.tests.test_concurrency import _assert_ledger_matches_stock, _in_parallel, _product

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]


def _delivered(customer, staff, product, quantity):
    order = place_order(customer=customer, products={product: quantity})
    for step in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        order = order_set_status(order=order, to_status=step, actor=staff)
    return order


def _approved(product, quantity=2):
    customer, salesperson = CustomerFactory(), SalespersonFactory()
    order = _delivered(customer, salesperson, product, quantity)
    returned = return_request(
        order=order, lines=[{"product": product.pk, "quantity": quantity}], reason="damaged", actor=customer
    )
    return_approve(return_request=returned, actor=salesperson)
    return order, returned, salesperson


def test_two_staff_receiving_the_same_return_one_wins_and_stock_comes_back_once():
    product = _product(stock=10, price=Decimal("10.00"))
    order, returned, salesperson = _approved(product)
    staff = [client_for(salesperson), client_for(SalespersonFactory())]
    body = {"items": [{"product": product.pk, "quantity": 2, "condition": "ok", "disposition": "restock"}]}
    url = f"/api/v1/returns/{returned.pk}/receive/"

    results = _in_parallel([lambda client=client: client.post(url, body, format="json") for client in staff])

    assert sorted(code for code, _ in results) == [200, 409]
    assert [body["code"] for code, body in results if code == 409] == ["invalid_transition"]
    moved = StockMovement.objects.filter(order_id=order.pk, reason=MovementReason.RETURN)
    assert list(moved.values_list("delta", flat=True)) == [2]
    _assert_ledger_matches_stock(product)


def test_parallel_refunds_of_one_return_pay_once():
    product = _product(stock=10, price=Decimal("10.00"))
    order, returned, salesperson = _approved(product)
    return_receive(
        return_request=returned,
        lines=[{"product": product.pk, "quantity": 2, "condition": "ok", "disposition": "scrap"}],
        actor=salesperson,
    )
    clients = [client_for(salesperson), client_for(SalespersonFactory()), client_for(SalespersonFactory())]
    url = f"/api/v1/returns/{returned.pk}/refund/"

    results = _in_parallel([lambda client=client: client.post(url, {}, format="json") for client in clients])

    assert sorted(code for code, _ in results) == [201, 409, 409]
    assert Refund.objects.filter(order=order).count() == 1
    assert Return.objects.get(pk=returned.pk).refund_id == next(b["id"] for c, b in results if c == 201)
    assert sales_rollup_differences() == {}


def test_return_requests_racing_staff_refunds_never_claim_more_than_was_delivered():
    product = _product(stock=50, price=Decimal("10.00"))
    customer, salesperson = CustomerFactory(), SalespersonFactory()
    orders = [_delivered(customer, salesperson, product, 2) for _ in range(4)]
    owner, staff = client_for(customer), client_for(salesperson)
    body = {"items": [{"product": product.pk, "quantity": 2}], "reason": "not_needed"}

    calls = []
    for order in orders:  # per order: two return requests and two staff refunds of the same 2 units
        calls += [
            lambda order=order: owner.post(f"/api/v1/orders/{order.pk}/returns/", body, format="json"),
            lambda order=order: owner.post(f"/api/v1/orders/{order.pk}/returns/", body, format="json"),
            lambda order=order: staff.post(
                f"/api/v1/orders/{order.pk}/refunds/", {**body, "reason": "other"}, format="json"
            ),
            lambda order=order: staff.post(
                f"/api/v1/orders/{order.pk}/status/", {"status": "refunded"}, format="json"
            ),
        ]
    results = _in_parallel(calls)

    assert Counter(code for code, _ in results)[500] == 0
    for order in orders:
        refunded = RefundLine.objects.filter(refund__order=order).aggregate(n=Sum("quantity"))["n"] or 0
        held = (
            ReturnLine.objects.filter(
                return_request__order=order, return_request__status__in=OPEN_RETURN_STATUSES
            ).aggregate(n=Sum("quantity"))["n"]
            or 0
        )
        assert refunded + held == 2  # exactly one of the four claimed both units
    assert sales_rollup_differences() == {}
    _assert_ledger_matches_stock(product)
