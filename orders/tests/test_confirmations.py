"""Order confirmations: sent once, whatever happens to the broker or the worker."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from catalog.tests.factories import ProductFactory
from orders.models import Order
from orders.tasks import send_order_confirmation, send_pending_confirmations
from orders.tests.factories import place_order

pytestmark = pytest.mark.django_db


def _placed_while_the_broker_is_down(customer, django_capture_on_commit_callbacks) -> Order:
    product = ProductFactory(stock=5)
    with (
        mock.patch("orders.tasks.send_order_confirmation.delay", side_effect=ConnectionError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        return place_order(customer=customer, products={product: 1})


def test_a_confirmation_runs_twice_but_is_sent_once(customer, django_capture_on_commit_callbacks):
    """A worker killed mid-task gets the task again (acks late): the second run sends nothing."""
    order = _placed_while_the_broker_is_down(customer, django_capture_on_commit_callbacks)

    assert send_order_confirmation(order.pk) == 1
    assert send_order_confirmation(order.pk) == 0

    assert len(mail.outbox) == 1
    assert order.number in mail.outbox[0].subject
    order.refresh_from_db()
    assert order.confirmation_sent_at is not None


def test_a_confirmation_missed_while_the_broker_was_down_goes_out_once_it_is_back(
    customer, django_capture_on_commit_callbacks
):
    order = _placed_while_the_broker_is_down(customer, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(minutes=2))

    assert send_pending_confirmations() == 1  # the broker is back: the beat task sweeps

    assert [message.subject for message in mail.outbox] == [f"Order {order.number} confirmed"]
    assert send_pending_confirmations() == 0


def test_the_sweep_leaves_fresh_and_old_orders_alone_while_each_order_has_its_task(
    customer, settings, django_capture_on_commit_callbacks
):
    settings.ORDER_CONFIRMATIONS = "task"
    fresh = _placed_while_the_broker_is_down(customer, django_capture_on_commit_callbacks)
    old = _placed_while_the_broker_is_down(customer, django_capture_on_commit_callbacks)
    age = timedelta(hours=settings.ORDER_CONFIRMATION_RETRY_HOURS + 1)
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - age)

    assert send_pending_confirmations() == 0  # fresh: its own enqueue may still be on its way
    assert Order.objects.filter(pk__in=[fresh.pk, old.pk], confirmation_sent_at__isnull=True).count() == 2


def test_a_placed_order_is_confirmed_through_its_own_task(
    customer, settings, django_capture_on_commit_callbacks
):
    settings.ORDER_CONFIRMATIONS = "task"
    product = ProductFactory(stock=5)
    with django_capture_on_commit_callbacks(execute=True):
        order = place_order(customer=customer, products={product: 1})

    order.refresh_from_db()
    assert order.confirmation_sent_at is not None
    assert len(mail.outbox) == 1


def test_tasks_are_acknowledged_late_and_redelivered_if_the_worker_dies():
    from salesbackend.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True


@pytest.fixture
def outbox(settings):
    """Confirmations as a deployment with a broker sends them: in batches from the beat sweep."""
    settings.ORDER_CONFIRMATIONS = "outbox"


def test_with_the_outbox_placement_publishes_nothing_and_the_sweep_sends_each_once(
    customer, outbox, django_capture_on_commit_callbacks
):
    product = ProductFactory(stock=5)
    with (
        mock.patch("orders.tasks.send_order_confirmation.delay") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        orders = [place_order(customer=customer, products={product: 1}) for _ in range(3)]

    assert not enqueue.called and mail.outbox == []

    assert send_pending_confirmations() == 3  # fresh orders too: nothing else will send them
    assert send_pending_confirmations() == 0  # a second sweep (or one running alongside) sends none

    assert sorted(message.subject for message in mail.outbox) == sorted(
        f"Order {order.number} confirmed" for order in orders
    )
    assert not Order.objects.filter(confirmation_sent_at__isnull=True).exists()


def test_the_outbox_leaves_orders_past_the_retry_window_alone(customer, outbox, settings):
    old = place_order(customer=customer, products={ProductFactory(stock=5): 1})
    age = timedelta(hours=settings.ORDER_CONFIRMATION_RETRY_HOURS + 1)
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - age)

    assert send_pending_confirmations() == 0
    assert mail.outbox == []
