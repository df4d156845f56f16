"""Returns over the API: the representation, the role matrix, 404 for another customer's return,
refusals as 400/409 with nothing changed, and the constant query count of the lists."""

from decimal import Decimal

import pytest
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from catalog.tests.factories import ProductFactory
from conftest import client_for
from orders.models import OrderStatus, Refund, Return, ReturnStatus
from orders.selectors import returns_visible_to
from orders.serializers_returns import ReturnSerializer
from orders.services import order_set_status, return_approve, return_receive, return_reject, return_request
from orders.tests.factories import place_order

pytestmark = pytest.mark.django_db
D = Decimal
S = OrderStatus


@pytest.fixture(autouse=True)
def _pricing(settings):
    settings.SALES_TAX_RATE = D("0.20")
    settings.SHIPPING_FLAT_FEE = D("5.00")
    settings.FREE_SHIPPING_THRESHOLD = D("1000.00")


@pytest.fixture
def lamp():
    return ProductFactory(price=D("10.00"), cost_price=D("4.00"), stock=20)


def delivered(customer, staff, products):
    order = place_order(customer=customer, products=products)
    for step in (S.PAID, S.SHIPPED, S.DELIVERED):
        order = order_set_status(order=order, to_status=step, actor=staff)
    return order


def ask(order, customer, product, quantity=1):
    return return_request(
        order=order, lines=[{"product": product.pk, "quantity": quantity}], reason="other", actor=customer
    )


def test_a_customer_asks_for_a_return_and_staff_take_it_to_a_refund(
    customer, customer_client, salesperson, salesperson_client, lamp
):
    order = delivered(customer, salesperson, {lamp: 3})

    created = customer_client.post(
        f"/api/v1/orders/{order.pk}/returns/",
        {"items": [{"sku": lamp.sku, "quantity": 2}], "reason": "damaged", "note": "Cracked"},
        format="json",
    )

    assert created.status_code == 201, created.json()
    body = created.json()
    assert list(body) == [
        "id",
        "number",
        "order",
        "customer",
        "status",
        "reason",
        "note",
        "items",
        "refund",
        "history",
        "created_at",
    ]
    assert body["number"].startswith("RMA-") and len(body["number"]) == len("RMA-2026-000001")
    assert (
        body["order"],
        body["customer"],
        body["status"],
        body["reason"],
        body["note"],
        body["refund"],
    ) == (
        order.pk,
        customer.pk,
        "requested",
        "damaged",
        "Cracked",
        None,
    )
    assert body["items"] == [
        {
            "product": lamp.pk,
            "sku": lamp.sku,
            "quantity": 2,
            "received": 0,
            "condition": "",
            "disposition": "",
        }
    ]
    assert [(h["status"], h["by"]) for h in body["history"]] == [("requested", customer.pk)]
    url = f"/api/v1/returns/{body['id']}/"

    assert salesperson_client.post(f"{url}approve/", {}, format="json").json()["status"] == "approved"
    receipt = salesperson_client.post(
        f"{url}receive/",
        {"items": [{"product": lamp.pk, "quantity": 2, "condition": "damaged", "disposition": "scrap"}]},
        format="json",
    )
    assert receipt.status_code == 200, receipt.json()
    assert receipt.json()["items"][0] | {} == {
        "product": lamp.pk,
        "sku": lamp.sku,
        "quantity": 2,
        "received": 2,
        "condition": "damaged",
        "disposition": "scrap",
    }
    refunded = salesperson_client.post(f"{url}refund/", {}, format="json")
    assert refunded.status_code == 201, refunded.json()
    assert (refunded.json()["amount"], refunded.json()["restocked"]) == ("24.00", False)

    seen = customer_client.get(url).json()
    assert (seen["status"], seen["refund"]) == ("refunded", refunded.json()["id"])
    # the customer never sees which staff member acted
    assert [(h["status"], h["by"]) for h in seen["history"]] == [
        ("requested", customer.pk),
        ("approved", None),
        ("received", None),
        ("refunded", None),
    ]
    assert salesperson_client.get(url).json()["history"][1]["by"] == salesperson.pk
    shown = customer_client.get(f"/api/v1/orders/{order.pk}/").json()
    assert shown["returns"] == [{"id": body["id"], "number": body["number"], "status": "refunded"}]
    assert shown["status"] == "partially_refunded"


def test_the_role_matrix(customer, other_customer, salesperson, ceo, lamp):
    order = delivered(customer, salesperson, {lamp: 5})
    returned = ask(order, customer, lamp)
    url = f"/api/v1/returns/{returned.pk}/"
    clients = {
        "anonymous": client_for(None),
        "owner": client_for(customer),
        "other": client_for(other_customer),
        "salesperson": client_for(salesperson),
        "ceo": client_for(ceo),
    }
    expected = {
        # who: (list count, detail, approve, request on the order); in this order, so each
        # request that succeeds adds one return to what the next staff member lists
        "anonymous": (401, 401, 401, 401),
        "owner": (1, 200, 403, 201),
        "other": (0, 404, 403, 404),
        "salesperson": (2, 200, 409, 201),
        "ceo": (3, 200, 409, 201),
    }
    return_approve(return_request=returned, actor=salesperson)  # a second approval is 409
    body = {"items": [{"product": lamp.pk, "quantity": 1}], "reason": "other"}

    for who, client in clients.items():
        listed = client.get("/api/v1/returns/")
        got = (
            listed.json()["count"] if listed.status_code == 200 else listed.status_code,
            client.get(url).status_code,
            client.post(f"{url}approve/", {}, format="json").status_code,
            client.post(f"/api/v1/orders/{order.pk}/returns/", body, format="json").status_code,
        )
        assert got == expected[who], who

    assert clients["other"].post(f"{url}cancel/", {}, format="json").status_code == 404
    assert clients["owner"].post(f"{url}reject/", {"note": "x"}, format="json").status_code == 403
    assert Return.objects.get(pk=returned.pk).status == ReturnStatus.APPROVED


def test_refusals_answer_with_their_codes_and_change_nothing(
    customer, customer_client, salesperson, salesperson_client, lamp
):
    order = delivered(customer, salesperson, {lamp: 2})
    url = f"/api/v1/orders/{order.pk}/returns/"
    ask(order, customer, lamp, 2)

    held = customer_client.post(
        url, {"items": [{"product": lamp.pk, "quantity": 1}], "reason": "other"}, format="json"
    )
    refund = salesperson_client.post(
        f"/api/v1/orders/{order.pk}/refunds/",
        {"items": [{"product": lamp.pk, "quantity": 1}], "reason": "other"},
        format="json",
    )
    everything = salesperson_client.post(
        f"/api/v1/orders/{order.pk}/status/", {"status": "refunded"}, format="json"
    )
    pending = place_order(customer=customer, products={lamp: 1})
    early = customer_client.post(
        f"/api/v1/orders/{pending.pk}/returns/",
        {"items": [{"product": lamp.pk, "quantity": 1}], "reason": "other"},
        format="json",
    )

    assert (held.status_code, held.json()["code"]) == (409, "nothing_to_return")
    assert (refund.status_code, refund.json()["code"]) == (409, "nothing_to_return")
    assert (everything.status_code, everything.json()["code"]) == (409, "nothing_to_return")
    assert (early.status_code, early.json()["code"]) == (409, "return_window_closed")
    assert Return.objects.count() == 1
    assert not Refund.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"items": [], "reason": "other"},
        {"items": [{"product": 999999, "quantity": 1}], "reason": "other"},
        {"items": [{"product": 1, "quantity": 0}], "reason": "other"},
        {"items": [{"product": 1, "quantity": 1}], "reason": "because"},
        {"items": [{"product": 1, "quantity": "1"}], "reason": "other"},
        {"items": "all", "reason": "other"},
    ],
)
def test_bad_requests_are_400(customer, customer_client, salesperson, lamp, body):
    order = delivered(customer, salesperson, {lamp: 2})

    response = customer_client.post(f"/api/v1/orders/{order.pk}/returns/", body, format="json")

    assert response.status_code == 400
    assert not Return.objects.exists()


def test_reject_without_a_note_is_400(customer, salesperson, salesperson_client, lamp):
    returned = ask(delivered(customer, salesperson, {lamp: 1}), customer, lamp)

    response = salesperson_client.post(f"/api/v1/returns/{returned.pk}/reject/", {}, format="json")
    blank = salesperson_client.post(f"/api/v1/returns/{returned.pk}/reject/", {"note": " "}, format="json")

    assert response.status_code == 400 and "note" in response.json()
    assert blank.status_code == 400 and "note" in blank.json()
    assert Return.objects.get().status == ReturnStatus.REQUESTED


def test_receiving_more_than_asked_back_is_400(customer, salesperson, salesperson_client, lamp):
    returned = ask(delivered(customer, salesperson, {lamp: 3}), customer, lamp, 1)
    return_approve(return_request=returned, actor=salesperson)

    response = salesperson_client.post(
        f"/api/v1/returns/{returned.pk}/receive/",
        {"items": [{"product": lamp.pk, "quantity": 2, "condition": "ok", "disposition": "restock"}]},
        format="json",
    )

    assert response.status_code == 400
    assert "asked back" in response.json()["items"][0]


def test_filters(customer, other_customer, salesperson, salesperson_client, lamp):
    first = ask(delivered(customer, salesperson, {lamp: 1}), customer, lamp)
    second = ask(delivered(other_customer, salesperson, {lamp: 1}), other_customer, lamp)
    return_approve(return_request=second, actor=salesperson)

    def ids(query):
        return [row["id"] for row in salesperson_client.get(f"/api/v1/returns/?{query}").json()["results"]]

    assert ids("status=approved") == [second.pk]
    assert ids(f"customer={customer.pk}") == [first.pk]
    assert ids(f"order={first.order_id}") == [first.pk]
    assert salesperson_client.get("/api/v1/returns/?status=lost").status_code == 400


@pytest.mark.parametrize("count", [1, 6])
def test_lists_cost_the_same_queries_however_many_returns(
    customer, customer_client, salesperson, lamp, count, django_assert_max_num_queries
):
    for _ in range(count):
        ask(delivered(customer, salesperson, {lamp: 1}), customer, lamp)
    customer_client.get("/api/v1/users/me/")  # the user comes from the auth cache from now on

    with django_assert_max_num_queries(6):
        assert customer_client.get("/api/v1/returns/").json()["count"] == count
    with django_assert_max_num_queries(10):
        orders = customer_client.get("/api/v1/orders/").json()["results"]
    assert all(len(order["returns"]) == 1 for order in orders)


@pytest.mark.parametrize("viewer_name", ["customer", "salesperson"])
def test_the_written_out_representation_equals_drfs_and_hides_staff_notes(
    viewer_name, customer, salesperson, lamp, request
):
    viewer = request.getfixturevalue(viewer_name)
    order = delivered(customer, salesperson, {lamp: 3})
    received = ask(order, customer, lamp, 2)
    return_approve(return_request=received, actor=salesperson, note="Internal: check the box")
    return_receive(
        return_request=received,
        lines=[{"product": lamp.pk, "quantity": 1, "condition": "opened", "disposition": "restock"}],
        actor=salesperson,
        note="Internal: one missing",
    )
    rejected = ask(order, customer, lamp, 1)
    return_reject(return_request=rejected, actor=salesperson, note="Past the window of the offer.")
    http = APIRequestFactory().get("/")
    http.user = viewer

    for returned in (received, rejected):
        serializer = ReturnSerializer(
            returns_visible_to(viewer).get(pk=returned.pk), context={"request": http}
        )
        generic = serializers.ModelSerializer.to_representation(serializer, serializer.instance)
        assert serializer.data == generic
        assert list(serializer.data) == list(generic)

    notes = [h["note"] for h in ReturnSerializer(received, context={"request": http}).data["history"]]
    rejection = ReturnSerializer(rejected, context={"request": http}).data["history"][-1]["note"]
    assert rejection == "Past the window of the offer."
    if viewer_name == "customer":
        assert notes == ["", "", ""]
    else:
        assert notes == ["", "Internal: check the box", "Internal: one missing"]


def test_the_owner_cancels_while_requested_staff_also_once_approved(
    customer, customer_client, salesperson, salesperson_client, lamp
):
    order = delivered(customer, salesperson, {lamp: 2})
    first, second = ask(order, customer, lamp), ask(order, customer, lamp)
    return_approve(return_request=second, actor=salesperson)

    own = customer_client.post(f"/api/v1/returns/{first.pk}/cancel/", {"note": "Kept it"}, format="json")
    late = customer_client.post(f"/api/v1/returns/{second.pk}/cancel/", {}, format="json")
    staff = salesperson_client.post(f"/api/v1/returns/{second.pk}/cancel/", {}, format="json")

    assert (own.status_code, own.json()["status"], own.json()["history"][-1]["note"]) == (
        200,
        "cancelled",
        "Kept it",
    )
    assert (late.status_code, late.json()["code"]) == (409, "invalid_transition")
    assert (staff.status_code, staff.json()["status"]) == (200, "cancelled")
    # both units are free again
    assert ask(order, customer, lamp, 2).status == ReturnStatus.REQUESTED


@pytest.mark.parametrize("step", ["approve", "cancel", "reject", "refund", "receive"])
def test_a_step_on_an_id_that_is_no_number_is_404(ceo_client, step):
    """Found by the fuzzer: `/returns/null,null/approve/` was a 500."""
    response = ceo_client.post(f"/api/v1/returns/null,null/{step}/", {"note": "x"}, format="json")

    assert response.status_code == 404
