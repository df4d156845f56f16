"""Returns through the services: the status path, amounts equal to a staff refund of the same
units, stock movements, every refusal, and the units a return holds against staff refunds."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from catalog.tests.factories import ProductFactory
from inventory.models import MovementReason, Stock, StockMovement
from orders.ledger import sales_rollup_differences
from orders.models import OrderStatus, OrderStatusChange, Refund, Return, ReturnStatus, SalesRecord
from orders.services import (
    order_refund,
    order_set_status,
    return_approve,
    return_cancel,
    return_receive,
    return_refund,
    return_reject,
    return_request,
)
from orders.tasks import send_pending_return_mails, send_return_mail
from orders.tests.factories import place_order
from salesbackend.exceptions import ConflictError

pytestmark = pytest.mark.django_db
D = Decimal
S = OrderStatus
RS = ReturnStatus


@pytest.fixture(autouse=True)
def _pricing(settings):
    settings.SALES_TAX_RATE = D("0.20")
    settings.SHIPPING_FLAT_FEE = D("5.00")
    settings.FREE_SHIPPING_THRESHOLD = D("1000.00")
    settings.RETURN_WINDOW_DAYS = 30


@pytest.fixture
def lamp():
    return ProductFactory(price=D("10.00"), cost_price=D("4.00"), stock=20)


@pytest.fixture
def desk():
    return ProductFactory(price=D("30.00"), cost_price=D("20.00"), stock=20)


def delivered(customer, staff, products, **kwargs):
    order = place_order(customer=customer, products=products, **kwargs)
    for step in (S.PAID, S.SHIPPED, S.DELIVERED):
        order = order_set_status(order=order, to_status=step, actor=staff)
    return order


def stock(product) -> int:
    return Stock.objects.get(product=product).quantity


def requested(order, customer, *lines, reason="damaged"):
    return return_request(
        order=order,
        lines=[{"product": product.pk, "quantity": quantity} for product, quantity in lines],
        reason=reason,
        note="It broke",
        actor=customer,
    )


def received(returned, staff, *lines):
    """Approve and receive: lines are (product, quantity, disposition)."""
    return_approve(return_request=returned, actor=staff)
    return return_receive(
        return_request=returned,
        lines=[
            {"product": product.pk, "quantity": quantity, "condition": "ok", "disposition": disposition}
            for product, quantity, disposition in lines
        ],
        actor=staff,
    )


def test_the_whole_path_refunds_exactly_what_a_staff_refund_of_those_units_would(
    customer, salesperson, lamp, desk
):
    # 3 lamps (30.00) + 1 desk (30.00), 6.00 off: 3.00 each; tax 20 % of 54.00 = 10.80
    order = delivered(customer, salesperson, {lamp: 3, desk: 1}, actor=salesperson, discount=D("6.00"))
    twin = delivered(customer, salesperson, {lamp: 3, desk: 1}, actor=salesperson, discount=D("6.00"))

    returned = requested(order, customer, (lamp, 2))
    assert returned.number == f"RMA-{returned.created_at:%Y}-{returned.pk:06d}"
    received(returned, salesperson, (lamp, 2, "restock"))
    refund = return_refund(return_request=returned, actor=salesperson)
    staff = order_refund(
        order=twin, lines=[{"product": lamp.pk, "quantity": 2}], restock=False, actor=salesperson
    )

    line, twin_line = refund.lines.get(), staff.lines.get()
    assert (
        (line.quantity, line.revenue, line.tax, line.amount)
        == (
            twin_line.quantity,
            twin_line.revenue,
            twin_line.tax,
            twin_line.amount,
        )
        == (2, D("18.00"), D("3.60"), D("21.60"))
    )
    assert (refund.amount, refund.tax, refund.restocked, refund.reason) == (
        D("21.60"),
        D("3.60"),
        False,
        "damaged",
    )
    returned.refresh_from_db()
    assert (returned.status, returned.refund) == (RS.REFUNDED, refund)
    assert list(returned.history.values_list("to_status", flat=True)) == [
        RS.REQUESTED,
        RS.APPROVED,
        RS.RECEIVED,
        RS.REFUNDED,
    ]
    order.refresh_from_db()
    assert order.status == S.PARTIALLY_REFUNDED
    reversal = SalesRecord.objects.get(order=order, quantity__lt=0)
    assert (reversal.quantity, reversal.revenue, reversal.cost) == (-2, D("-18.00"), D("-8.00"))
    # two units back on the shelf by the receipt, none again by the refund
    assert stock(lamp) == 20 - 6 + 2
    movements = StockMovement.objects.filter(order_id=order.pk, reason=MovementReason.RETURN)
    assert list(movements.values_list("product_id", "delta")) == [(lamp.pk, 2)]
    assert sales_rollup_differences() == {}
    actions = AuditEntry.objects.filter(entity_type="orders.return", entity_id=str(returned.pk))
    assert sorted(actions.values_list("action", flat=True)) == sorted(
        [AuditAction.CREATE] + [AuditAction.STATUS_CHANGE] * 3
    )


def test_scrapped_units_move_no_stock_and_only_received_units_are_refunded(customer, salesperson, lamp, desk):
    order = delivered(customer, salesperson, {lamp: 3, desk: 1})
    returned = requested(order, customer, (lamp, 3), (desk, 1))

    received(returned, salesperson, (lamp, 1, "scrap"), (desk, 1, "restock"))
    refund = return_refund(return_request=returned, actor=salesperson)

    assert sorted(refund.lines.values_list("sku", "quantity")) == sorted([(lamp.sku, 1), (desk.sku, 1)])
    assert stock(lamp) == 17
    assert stock(desk) == 20
    assert not StockMovement.objects.filter(product=lamp, reason=MovementReason.RETURN).exists()
    line = returned.lines.get(product=lamp)
    assert (line.quantity, line.received, line.condition, line.disposition) == (3, 1, "ok", "scrap")
    # the two lamps never received are free again: a staff refund may take them
    order_refund(order=order, lines=[{"product": lamp.pk, "quantity": 2}], actor=salesperson)
    assert sales_rollup_differences() == {}


@pytest.mark.parametrize("status", [S.PENDING, S.PAID, S.SHIPPED])
def test_only_delivered_orders_are_returned(customer, salesperson, lamp, status):
    order = place_order(customer=customer, products={lamp: 1})
    for step in {S.PENDING: [], S.PAID: [S.PAID], S.SHIPPED: [S.PAID, S.SHIPPED]}[status]:
        order = order_set_status(order=order, to_status=step, actor=salesperson)

    with pytest.raises(ConflictError) as refused:
        requested(order, customer, (lamp, 1))

    assert refused.value.code == "return_window_closed"
    assert not Return.objects.exists()


def test_after_the_window_closes_no_return_is_accepted(customer, salesperson, lamp, settings):
    order = delivered(customer, salesperson, {lamp: 1})
    OrderStatusChange.objects.filter(order=order, to_status=S.DELIVERED).update(
        created_at=OrderStatusChange.objects.get(order=order, to_status=S.DELIVERED).created_at
        - timedelta(days=31)
    )

    with pytest.raises(ConflictError) as refused:
        requested(order, customer, (lamp, 1))

    assert refused.value.code == "return_window_closed"
    settings.RETURN_WINDOW_DAYS = 32
    assert requested(order, customer, (lamp, 1)).status == RS.REQUESTED


def test_more_units_than_delivered_less_refunded_and_held_is_nothing_to_return(customer, salesperson, lamp):
    order = delivered(customer, salesperson, {lamp: 4})
    order_refund(order=order, lines=[{"product": lamp.pk, "quantity": 1}], actor=salesperson)
    requested(order, customer, (lamp, 2))

    with pytest.raises(ConflictError) as refused:
        requested(order, customer, (lamp, 2))

    assert refused.value.code == "nothing_to_return"
    assert refused.value.extra["items"] == [
        {"product": lamp.pk, "sku": lamp.sku, "requested": 2, "available": 1}
    ]
    assert Return.objects.count() == 1
    assert requested(order, customer, (lamp, 1)).status == RS.REQUESTED


def test_a_staff_refund_of_units_in_an_open_return_is_nothing_to_return(customer, salesperson, lamp, desk):
    order = delivered(customer, salesperson, {lamp: 2, desk: 1})
    returned = requested(order, customer, (lamp, 2))

    with pytest.raises(ConflictError) as refused:
        order_refund(order=order, lines=[{"product": lamp.pk, "quantity": 1}], actor=salesperson)
    assert refused.value.code == "nothing_to_return"
    with pytest.raises(ConflictError) as everything:
        order_set_status(order=order, to_status=S.REFUNDED, actor=salesperson)
    assert everything.value.code == "nothing_to_return"
    assert not Refund.objects.exists()

    order_refund(order=order, lines=[{"product": desk.pk, "quantity": 1}], actor=salesperson)  # not held
    return_cancel(return_request=returned, actor=customer)
    order = order_set_status(order=order, to_status=S.REFUNDED, actor=salesperson)  # released
    assert order.status == S.REFUNDED
    assert sales_rollup_differences() == {}


@pytest.mark.parametrize(
    ("steps", "refused"),
    [
        ([], "receive"),
        ([], "refund"),
        (["approve"], "approve"),
        (["approve"], "reject"),
        (["approve"], "refund"),
        (["reject"], "approve"),
        (["reject"], "cancel"),
        (["cancel"], "approve"),
        (["approve", "receive"], "cancel"),
        (["approve", "receive"], "receive"),
        (["approve", "receive", "refund"], "refund"),
    ],
)
def test_wrong_transitions_are_409_and_change_nothing(customer, salesperson, lamp, steps, refused):
    order = delivered(customer, salesperson, {lamp: 2})
    returned = requested(order, customer, (lamp, 1))
    actions = {
        "approve": lambda: return_approve(return_request=returned, actor=salesperson),
        "reject": lambda: return_reject(return_request=returned, actor=salesperson, note="Used"),
        "cancel": lambda: return_cancel(return_request=returned, actor=salesperson),
        "receive": lambda: return_receive(
            return_request=returned,
            lines=[{"product": lamp.pk, "quantity": 1, "condition": "ok", "disposition": "restock"}],
            actor=salesperson,
        ),
        "refund": lambda: return_refund(return_request=returned, actor=salesperson),
    }
    for step in steps:
        actions[step]()
    before = (Return.objects.get().status, Refund.objects.count(), stock(lamp), returned.history.count())

    with pytest.raises(ConflictError) as error:
        actions[refused]()

    assert error.value.code == "invalid_transition"
    assert (
        Return.objects.get().status,
        Refund.objects.count(),
        stock(lamp),
        returned.history.count(),
    ) == before


def test_reject_needs_a_note_and_the_customer_is_mailed_once(
    customer, salesperson, lamp, django_capture_on_commit_callbacks
):
    order = delivered(customer, salesperson, {lamp: 1})
    returned = requested(order, customer, (lamp, 1))

    with pytest.raises(ValidationError) as error:
        return_reject(return_request=returned, actor=salesperson, note="  ")
    assert "note" in error.value.message_dict
    assert Return.objects.get().status == RS.REQUESTED

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        return_reject(return_request=returned, actor=salesperson, note="Opened and used.")
    change = returned.history.get(to_status=RS.REJECTED)
    assert send_return_mail(change.pk) == 0  # the task again: already sent
    assert [m.subject for m in mail.outbox] == [f"Return {returned.number} rejected"]
    assert "Opened and used." in mail.outbox[0].body
    assert mail.outbox[0].to == [customer.email]


def test_approve_and_refund_mail_the_customer_after_commit(
    customer, salesperson, lamp, django_capture_on_commit_callbacks
):
    order = delivered(customer, salesperson, {lamp: 1})
    returned = requested(order, customer, (lamp, 1))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        return_approve(return_request=returned, actor=salesperson)
    with django_capture_on_commit_callbacks(execute=True):
        return_receive(
            return_request=returned,
            lines=[{"sku": lamp.sku, "quantity": 1, "condition": "opened", "disposition": "restock"}],
            actor=salesperson,
        )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        refund = return_refund(return_request=returned, actor=salesperson)
    for callback in callbacks:  # a redelivered task
        callback()

    assert [m.subject for m in mail.outbox] == [
        f"Return {returned.number} approved",
        f"Return {returned.number} refunded",
    ]
    assert f"{refund.amount} EUR" in mail.outbox[1].body


def test_who_may_do_what(customer, other_customer, salesperson, lamp):
    order = delivered(customer, salesperson, {lamp: 3})
    with pytest.raises(PermissionDenied):
        requested(order, other_customer, (lamp, 1))
    on_behalf = requested(order, salesperson, (lamp, 1))
    assert (on_behalf.customer, on_behalf.requested_by) == (customer, salesperson)
    own = requested(order, customer, (lamp, 1))

    for action in (return_approve, return_refund):
        with pytest.raises(PermissionDenied):
            action(return_request=own, actor=customer)
    with pytest.raises(PermissionDenied):
        return_cancel(return_request=own, actor=other_customer)
    return_approve(return_request=own, actor=salesperson)
    with pytest.raises(ConflictError):  # the owner cancels only while requested
        return_cancel(return_request=own, actor=customer)
    assert return_cancel(return_request=own, actor=salesperson).status == RS.CANCELLED


@pytest.mark.parametrize(
    "lines",
    [
        [],
        [{"product": 999999, "quantity": 1, "condition": "ok", "disposition": "restock"}],
        [{"product": "LAMP", "quantity": 3, "condition": "ok", "disposition": "restock"}],
        [{"product": "LAMP", "quantity": 1, "condition": "new", "disposition": "restock"}],
        [{"product": "LAMP", "quantity": 1, "condition": "ok", "disposition": "bin"}],
    ],
)
def test_bad_receipts_are_refused_and_change_nothing(customer, salesperson, lamp, lines):
    order = delivered(customer, salesperson, {lamp: 2})
    returned = requested(order, customer, (lamp, 2))
    return_approve(return_request=returned, actor=salesperson)
    lines = [{**line, "product": lamp.pk} if line["product"] == "LAMP" else line for line in lines]

    with pytest.raises(ValidationError):
        return_receive(return_request=returned, lines=lines, actor=salesperson)

    assert Return.objects.get().status == RS.APPROVED
    assert stock(lamp) == 18


def test_a_mail_missed_while_the_broker_was_down_goes_out_once_with_the_sweep(customer, salesperson, lamp):
    order = delivered(customer, salesperson, {lamp: 1})
    returned = requested(order, customer, (lamp, 1))
    return_approve(return_request=returned, actor=salesperson)  # the test never commits: nothing enqueued
    mail.outbox.clear()
    assert send_pending_return_mails() == 0  # not yet a minute old: its own task may still come

    returned.history.update(created_at=timezone.now() - timedelta(minutes=2))

    assert send_pending_return_mails() == 1
    assert send_pending_return_mails() == 0
    assert [m.subject for m in mail.outbox] == [f"Return {returned.number} approved"]
