"""Returns in the admin: the list and its filters, actions through the services (reject asks for
a note first), the receipt form per line, and the order page listing its returns."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from catalog.tests.factories import ProductFactory
from inventory.models import MovementReason, Stock, StockMovement
from orders.models import OrderStatus, Return, ReturnStatus
from orders.services import order_set_status, return_approve, return_request
from orders.tests.factories import place_order

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:orders_return_changelist")


@pytest.fixture
def staff_browser(client, salesperson):
    client.force_login(salesperson)
    return client


@pytest.fixture
def lamp():
    return ProductFactory(price=Decimal("10.00"), stock=10)


def _returned(customer, salesperson, product, quantity=2):
    order = place_order(customer=customer, products={product: quantity})
    for step in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        order = order_set_status(order=order, to_status=step, actor=salesperson)
    return return_request(
        order=order,
        lines=[{"product": product.pk, "quantity": quantity}],
        reason="wrong_item",
        actor=customer,
    )


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _act(browser, action, *returns, **extra):
    return browser.post(
        CHANGELIST,
        {"action": action, "_selected_action": [returned.pk for returned in returns], **extra},
        follow=True,
    )


def test_the_list_searches_and_filters(staff_browser, customer, salesperson, lamp):
    returned = _returned(customer, salesperson, lamp)

    assert returned.number in staff_browser.get(CHANGELIST, {"q": customer.email}).content.decode()
    assert returned.number in staff_browser.get(CHANGELIST, {"q": returned.number}).content.decode()
    assert returned.number in staff_browser.get(CHANGELIST, {"reason__exact": "wrong_item"}).content.decode()
    assert (
        returned.number not in staff_browser.get(CHANGELIST, {"status__exact": "approved"}).content.decode()
    )


def test_approve_receive_and_refund_from_the_admin(staff_browser, customer, salesperson, lamp):
    returned = _returned(customer, salesperson, lamp)

    approved = _act(staff_browser, "approve_returns", returned)
    assert "1 return(s) approved." in _messages(approved)
    line = returned.lines.get()
    receive_url = reverse("admin:orders_return_receive", args=[returned.pk])
    assert (
        "Receive the parcel"
        in staff_browser.get(reverse("admin:orders_return_change", args=[returned.pk])).content.decode()
    )
    staff_browser.post(
        receive_url,
        {
            f"received_{line.pk}": 1,
            f"condition_{line.pk}": "ok",
            f"disposition_{line.pk}": "restock",
            "note": "",
        },
    )
    refunded = _act(staff_browser, "refund_returns", returned)

    assert "1 return(s) refunded." in _messages(refunded)
    returned.refresh_from_db()
    assert returned.status == ReturnStatus.REFUNDED
    assert returned.refund.lines.get().quantity == 1
    assert Stock.objects.get(product=lamp).quantity == 9
    assert StockMovement.objects.filter(product=lamp, reason=MovementReason.RETURN).count() == 1
    order_page = staff_browser.get(reverse("admin:orders_order_change", args=[returned.order_id]))
    assert returned.number in order_page.content.decode()


def test_reject_asks_for_a_note_then_rejects(staff_browser, customer, salesperson, lamp):
    returned = _returned(customer, salesperson, lamp)

    asked = _act(staff_browser, "reject_returns", returned)
    assert "the customer is e-mailed" in asked.content.decode()
    assert Return.objects.get().status == ReturnStatus.REQUESTED
    empty = _act(staff_browser, "reject_returns", returned, apply="1", note="")
    assert Return.objects.get().status == ReturnStatus.REQUESTED
    assert "This field is required." in empty.content.decode()

    done = _act(staff_browser, "reject_returns", returned, apply="1", note="Worn.")

    assert "1 return(s) rejected." in _messages(done)
    assert Return.objects.get().history.last().note == "Worn."


def test_a_refused_action_says_why_and_changes_nothing(staff_browser, customer, salesperson, lamp):
    returned = _returned(customer, salesperson, lamp)
    return_approve(return_request=returned, actor=salesperson)

    response = _act(staff_browser, "refund_returns", returned)

    assert any("cannot become refunded" in message for message in _messages(response))
    assert Return.objects.get().status == ReturnStatus.APPROVED


def test_the_order_refund_form_offers_only_units_no_open_return_holds(
    staff_browser, customer, salesperson, lamp
):
    order = place_order(customer=customer, products={lamp: 3})
    for step in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        order_set_status(order=order, to_status=step, actor=salesperson)
    return_request(order=order, lines=[{"product": lamp.pk, "quantity": 2}], reason="other", actor=customer)
    item = order.items.get()
    url = reverse("admin:orders_order_refund", args=[order.pk])

    page = staff_browser.get(url).content.decode()
    held = staff_browser.post(url, {f"item_{item.pk}": 2, "reason": "other"})

    assert "1 of 3 left to refund." in page
    assert held.status_code == 200  # the form again: at most 1
    assert staff_browser.post(url, {f"item_{item.pk}": 1, "reason": "other"}).status_code == 302
