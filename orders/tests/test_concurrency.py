"""Real parallel clients on PostgreSQL: threads, each with its own database connection,
posting through the API at the same moment. SQLite serialises writers, so these skip there."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from accounts.tests.factories import CustomerFactory, SalespersonFactory
from catalog.tests.factories import ProductFactory
from conftest import client_for
from inventory.models import MovementReason, Stock, StockMovement
from orders.models import Order, OrderStatus, Refund, SalesRecord
from orders.services import order_set_status
from orders.tests.factories import ADDRESS, DiscountCodeFactory, place_order

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]
URL = "/api/v1/orders/"


def _in_parallel(calls):
    """Run every call at once, each in its own thread and connection; (status, json) per call."""
    start = threading.Barrier(len(calls))

    def run(call):
        try:
            start.wait(timeout=30)
            response = call()
            return response.status_code, response.json()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _product(**kwargs):
    # stock_create locks the new stock row, which needs a transaction even in autocommit tests.
    with transaction.atomic():
        return ProductFactory(**kwargs)


def _poster(client, body, **headers):
    return lambda: client.post(URL, body, format="json", **headers)


def _body(*lines):
    return {"items": [{"product": p.pk, "quantity": q} for p, q in lines], "shipping_address": ADDRESS}


def _assert_ledger_matches_stock(product):
    ledger = StockMovement.objects.filter(product=product).aggregate(total=Sum("delta"))["total"]
    assert Stock.objects.get(product=product).quantity == ledger


def test_forty_parallel_orders_never_sell_more_than_ten_in_stock():
    product = _product(stock=10)
    clients = [client_for(CustomerFactory()) for _ in range(8)]

    results = _in_parallel([_poster(clients[i % 8], _body((product, 1))) for i in range(40)])

    assert Counter(code for code, _ in results) == {201: 10, 409: 30}
    assert all(body["code"] == "insufficient_stock" for code, body in results if code == 409)
    assert Stock.objects.get(product=product).quantity == 0
    _assert_ledger_matches_stock(product)
    assert Order.objects.count() == 10
    sales = StockMovement.objects.filter(product=product, reason=MovementReason.SALE)
    assert sorted(sales.values_list("order_id", flat=True)) == sorted(
        Order.objects.values_list("pk", flat=True)
    )
    assert set(sales.values_list("delta", flat=True)) == {-1}


def test_parallel_orders_of_two_products_in_opposite_order_never_deadlock():
    first, second = _product(stock=100), _product(stock=100)
    clients = [client_for(CustomerFactory()) for _ in range(8)]  # 3 unpaid orders each: under the cap
    bodies = [_body((first, 1), (second, 1)), _body((second, 1), (first, 1))]

    results = _in_parallel([_poster(clients[i % 8], bodies[i % 2]) for i in range(24)])

    assert [code for code, _ in results] == [201] * 24
    assert Stock.objects.get(product=first).quantity == Stock.objects.get(product=second).quantity == 76
    _assert_ledger_matches_stock(first)
    _assert_ledger_matches_stock(second)


def test_identical_requests_racing_with_one_key_place_one_order():
    product = _product(stock=1)
    client = client_for(CustomerFactory())

    results = _in_parallel(
        [_poster(client, _body((product, 1)), HTTP_IDEMPOTENCY_KEY="race") for _ in range(6)]
    )

    assert sorted(code for code, _ in results) == [200] * 5 + [201]
    assert len({body["id"] for _, body in results}) == 1
    assert Order.objects.count() == 1
    assert Stock.objects.get(product=product).quantity == 0
    _assert_ledger_matches_stock(product)


def test_parallel_cancellations_of_a_paid_order_return_stock_once():
    product = _product(stock=5)
    customer, salesperson = CustomerFactory(), SalespersonFactory()
    staff = client_for(salesperson)
    order = place_order(customer=customer, products={product: 2})
    order_set_status(order=order, to_status=OrderStatus.PAID, actor=salesperson)

    results = _in_parallel([lambda: staff.post(f"{URL}{order.pk}/cancel/", {}, format="json")] * 6)

    assert sorted(code for code, _ in results) == [200] + [409] * 5
    assert Stock.objects.get(product=product).quantity == 5
    _assert_ledger_matches_stock(product)
    assert SalesRecord.objects.filter(order=order).aggregate(total=Sum("quantity"))["total"] == 0


def test_thirty_orders_racing_for_a_code_with_ten_uses_carry_it_exactly_ten_times():
    product = _product(stock=100)
    DiscountCodeFactory(code="RACE10", max_uses=10)
    clients = [client_for(CustomerFactory()) for _ in range(10)]
    body = {**_body((product, 1)), "discount_code": "race10"}

    results = _in_parallel([_poster(clients[i % 10], body) for i in range(30)])

    assert Counter(code for code, _ in results) == {201: 10, 400: 20}
    assert all("used up" in body["discount_code"][0] for code, body in results if code == 400)
    assert Order.objects.filter(discount_code__code="RACE10").count() == 10
    assert Stock.objects.get(product=product).quantity == 90
    _assert_ledger_matches_stock(product)


def test_eight_parallel_orders_of_one_customer_use_a_once_per_customer_code_once():
    product = _product(stock=100)
    DiscountCodeFactory(code="ONCE", max_uses_per_customer=1)
    client = client_for(CustomerFactory())
    body = {**_body((product, 1)), "discount_code": "ONCE"}

    results = _in_parallel([_poster(client, body) for _ in range(8)])

    assert Counter(code for code, _ in results) == {201: 1, 400: 7}
    assert Order.objects.filter(discount_code__code="ONCE").count() == 1
    assert Stock.objects.get(product=product).quantity == 99


def test_a_payment_racing_an_expiry_has_exactly_one_outcome(settings):
    from datetime import timedelta

    from django.utils import timezone

    from orders.services import orders_expire
    from salesbackend.exceptions import ConflictError

    settings.ORDER_PENDING_MINUTES = 60
    product = _product(stock=10)
    staff = SalespersonFactory()
    orders = [place_order(customer=CustomerFactory(), products={product: 1}) for _ in range(6)]
    Order.objects.update(created_at=timezone.now() - timedelta(minutes=61))

    def pay(order):
        def run():
            try:
                order_set_status(order=order, to_status=OrderStatus.PAID, actor=staff)
                return "paid"
            except ConflictError:
                return "refused"
            finally:
                connection.close()

        return run

    def expire():
        try:
            return orders_expire()
        finally:
            connection.close()

    start = threading.Barrier(len(orders) + 1)
    with ThreadPoolExecutor(max_workers=len(orders) + 1) as pool:
        futures = [
            pool.submit(lambda call=call: (start.wait(30), call())[1]) for call in [expire, *map(pay, orders)]
        ]
        expired, *payments = [future.result() for future in futures]

    statuses = list(Order.objects.order_by("pk").values_list("status", flat=True))
    assert expired == statuses.count("cancelled") == payments.count("refused")
    assert payments.count("paid") == statuses.count("paid")
    assert len(statuses) == 6 and set(statuses) <= {"paid", "cancelled"}
    assert Stock.objects.get(product=product).quantity == 10 - statuses.count("paid")
    _assert_ledger_matches_stock(product)
    assert SalesRecord.objects.filter(quantity__gt=0).count() == statuses.count("paid")


def test_parallel_orders_of_one_customer_never_pass_the_pending_cap(settings):
    settings.ORDER_MAX_PENDING_PER_CUSTOMER = 3
    product = _product(stock=100)
    client = client_for(CustomerFactory())

    results = _in_parallel([_poster(client, _body((product, 1))) for _ in range(8)])

    assert Counter(code for code, _ in results) == {201: 3, 409: 5}
    assert Order.objects.count() == 3
    assert Stock.objects.get(product=product).quantity == 97


def test_parallel_partial_refunds_of_one_line_never_refund_more_than_was_delivered():
    product = _product(stock=20)
    staff = SalespersonFactory()
    order = place_order(customer=CustomerFactory(), products={product: 5})
    for step in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        order_set_status(order=order, to_status=step, actor=staff)
    client = client_for(staff)
    body = {"items": [{"product": product.pk, "quantity": 2}], "reason": "damaged"}

    results = _in_parallel([lambda: client.post(f"{URL}{order.pk}/refunds/", body, format="json")] * 6)

    assert Counter(code for code, _ in results) == {201: 2, 409: 4}
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_REFUNDED
    assert sum(Refund.objects.filter(order=order).values_list("lines__quantity", flat=True)) == 4
    assert Stock.objects.get(product=product).quantity == 19
    _assert_ledger_matches_stock(product)
    assert sum(SalesRecord.objects.filter(order=order).values_list("quantity", flat=True)) == 1
