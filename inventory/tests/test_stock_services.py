from unittest import mock

import pytest
from django.db import transaction
from django.db.models import Sum

from catalog.tests.factories import ProductFactory
from inventory.models import MovementReason, Stock, StockMovement
from inventory.services import stock_adjust, stock_return, stock_take
from inventory.tasks import notify_low_stock
from salesbackend.exceptions import InsufficientStock

pytestmark = pytest.mark.django_db


def test_adjust_below_zero_is_refused_and_changes_nothing(salesperson):
    product = ProductFactory(stock=3)

    with pytest.raises(InsufficientStock):
        stock_adjust(product=product, actor=salesperson, reason=MovementReason.DAMAGE, delta=-4)

    assert Stock.objects.get(product=product).quantity == 3
    assert StockMovement.objects.filter(product=product).count() == 1  # the opening restock only


def test_ledger_sum_equals_quantity_after_adjustments(salesperson):
    product = ProductFactory(stock=5)

    stock_adjust(product=product, actor=salesperson, reason=MovementReason.RESTOCK, delta=7)
    stock_adjust(product=product, actor=salesperson, reason=MovementReason.CORRECTION, quantity=4)

    ledger = StockMovement.objects.filter(product=product).aggregate(total=Sum("delta"))["total"]
    assert Stock.objects.get(product=product).quantity == ledger == 4


def test_crossing_the_threshold_publishes_one_event_and_enqueues_one_notification(
    salesperson, django_capture_on_commit_callbacks
):
    product = ProductFactory(sku="LOW-1", stock=12)  # threshold 10

    with (
        mock.patch("salesbackend.events.publish") as publish,
        mock.patch.object(notify_low_stock, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        stock_adjust(product=product, actor=salesperson, reason=MovementReason.DAMAGE, delta=-3)

    publish.assert_called_once_with(
        "low_stock",
        {
            "product": product.pk,
            "sku": "LOW-1",
            "name": product.name,
            "quantity": 9,
            "low_stock_threshold": 10,
        },
    )
    delay.assert_called_once_with(product.pk)


@pytest.mark.parametrize(("start", "delta"), [(9, -1), (20, -5), (5, 10)])
def test_no_alert_without_crossing_the_threshold(
    salesperson, django_capture_on_commit_callbacks, start, delta
):
    product = ProductFactory(stock=start)

    with (
        mock.patch("salesbackend.events.publish") as publish,
        mock.patch.object(notify_low_stock, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        stock_adjust(product=product, actor=salesperson, reason=MovementReason.CORRECTION, delta=delta)

    publish.assert_not_called()
    delay.assert_not_called()


def test_no_alert_when_the_change_is_rolled_back(salesperson, django_capture_on_commit_callbacks):
    product = ProductFactory(stock=12)

    with (
        mock.patch("salesbackend.events.publish") as publish,
        mock.patch.object(notify_low_stock, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        stock_take(lines={product: 5}, actor=salesperson)
        raise RuntimeError("the order failed after taking stock")

    assert Stock.objects.get(product=product).quantity == 12
    publish.assert_not_called()
    delay.assert_not_called()


def test_redis_and_broker_outages_never_fail_the_stock_change(
    salesperson, django_capture_on_commit_callbacks
):
    product = ProductFactory(stock=12)

    with (
        mock.patch("salesbackend.events.publish", side_effect=ConnectionError("redis down")),
        mock.patch.object(notify_low_stock, "delay", side_effect=ConnectionError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        stock = stock_adjust(product=product, actor=salesperson, reason=MovementReason.DAMAGE, delta=-5)

    assert stock.quantity == Stock.objects.get(product=product).quantity == 7


def test_low_stock_notification_mails_the_staff_who_manage_stock(salesperson, ceo, customer, mailoutbox):
    product = ProductFactory(sku="LOW-1", stock=2)

    sent = notify_low_stock(product.pk)

    assert sent == 1
    assert "LOW-1" in mailoutbox[0].subject
    recipients = set(mailoutbox[0].to)
    assert {salesperson.email, ceo.email, product.created_by.email} == recipients
    assert customer.email not in recipients


def test_stock_take_names_every_shortfall_and_takes_nothing(customer):
    plenty, short, empty = ProductFactory(stock=10), ProductFactory(stock=1), ProductFactory(stock=0)

    with pytest.raises(InsufficientStock) as refused:
        stock_take(lines={plenty: 2, short: 3, empty: 1}, actor=customer)

    assert [(s["sku"], s["requested"], s["available"]) for s in refused.value.shortfalls] == [
        (short.sku, 3, 1),
        (empty.sku, 1, 0),
    ]
    assert Stock.objects.get(product=plenty).quantity == 10


def test_take_and_return_write_sale_and_cancellation_movements(customer):
    product = ProductFactory(stock=10)

    stock_take(lines={product: 4}, actor=customer)
    stock_return(lines={product: 4}, actor=customer)

    reasons = list(StockMovement.objects.filter(product=product).values_list("reason", "delta"))
    assert reasons == [("cancellation", 4), ("sale", -4), ("restock", 10)]
    assert Stock.objects.get(product=product).quantity == 10
