"""Order confirmations: sent once, whatever happens to the broker or the worker."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from catalog.tests.factories import ProductFactory
from orders.models import Order
from orders.tasks import send_missed_confirmations, send_order_confirmation
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

    assert send_missed_confirmations() == 1  # the broker is back: the beat task sweeps

    assert [message.subject for message in mail.outbox] == [f"Order {order.number} confirmed"]
    assert send_missed_confirmations() == 0


def test_the_sweep_leaves_fresh_and_old_orders_alone(customer, settings, django_capture_on_commit_callbacks):
    fresh = _placed_while_the_broker_is_down(customer, django_capture_on_commit_callbacks)
    old = _placed_while_the_broker_is_down(customer, django_capture_on_commit_callbacks)
    age = timedelta(hours=settings.ORDER_CONFIRMATION_RETRY_HOURS + 1)
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - age)

    assert send_missed_confirmations() == 0  # fresh: its own enqueue may still be on its way
    assert Order.objects.filter(pk__in=[fresh.pk, old.pk], confirmation_sent_at__isnull=True).count() == 2


def test_a_placed_order_is_confirmed_through_the_worker(customer, django_capture_on_commit_callbacks):
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
