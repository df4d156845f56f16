"""Transfers between locations: transit accounting through every step, refusals that change
nothing, the API's role matrix and answers, the admin's actions."""

import pytest
from django.db.models import Sum
from django.test import Client

from audit.models import AuditEntry
from catalog.tests.factories import ProductFactory
from inventory.models import (
    Location,
    LocationStock,
    MovementReason,
    StockMovement,
    Transfer,
    TransferStatus,
)
from inventory.selectors import units_in_transit
from inventory.services import main_location
from inventory.transfers import (
    transfer_cancel,
    transfer_create,
    transfer_receive,
    transfer_ship,
)
from salesbackend.exceptions import ConflictError, InsufficientStock

pytestmark = pytest.mark.django_db
URL = "/api/v1/transfers/"
T = TransferStatus


@pytest.fixture
def store():
    return Location.objects.create(code="store-1", name="Store One", kind="store", priority=50)


def at(product, place) -> int:
    row = LocationStock.objects.filter(stock__product=product, location=place).first()
    return row.quantity if row else 0


def over_locations(product) -> int:
    return LocationStock.objects.filter(stock__product=product).aggregate(total=Sum("quantity"))["total"] or 0


def written_off(product) -> int:
    lost = StockMovement.objects.filter(product=product, reason=MovementReason.TRANSFER_LOSS)
    return -(lost.aggregate(total=Sum("delta"))["total"] or 0)


def assert_ledger_reconciles(product):
    for row in LocationStock.objects.filter(stock__product=product):
        moved = StockMovement.objects.filter(product=product, location=row.location_id)
        assert row.quantity == (moved.aggregate(total=Sum("delta"))["total"] or 0)


def draft(actor, source, target, *lines):
    return transfer_create(
        actor=actor,
        from_location=source,
        to_location=target,
        lines=[{"product": product.pk, "quantity": qty} for product, qty in lines],
    )


def test_the_sum_over_locations_plus_units_in_transit_never_changes(salesperson, store):
    pen, ink = ProductFactory(sku="PEN", stock=10), ProductFactory(sku="INK", stock=5)
    main = main_location()

    def accounted(product):
        return over_locations(product) + units_in_transit(product) + written_off(product)

    full = draft(salesperson, main, store, (pen, 4), (ink, 5))
    assert (accounted(pen), accounted(ink)) == (10, 5)
    transfer_ship(transfer=full, actor=salesperson)
    assert (at(pen, main), units_in_transit(pen), accounted(pen), accounted(ink)) == (6, 4, 10, 5)
    transfer_receive(transfer=full, actor=salesperson)
    assert (at(pen, store), at(ink, store), units_in_transit(pen), accounted(pen)) == (4, 5, 0, 10)

    partial = draft(salesperson, store, main, (pen, 3), (ink, 2))
    transfer_ship(transfer=partial, actor=salesperson)
    transfer_receive(transfer=partial, actor=salesperson, lines=[{"sku": "PEN", "quantity": 2}])
    assert (at(pen, main), at(ink, main), written_off(pen), written_off(ink)) == (8, 0, 1, 2)
    assert (over_locations(pen), over_locations(ink)) == (9, 3)  # the losses left the stock
    assert (accounted(pen), accounted(ink)) == (10, 5)

    cancelled = draft(salesperson, main, store, (pen, 5))
    transfer_ship(transfer=cancelled, actor=salesperson)
    assert (units_in_transit(pen), accounted(pen)) == (5, 10)
    transfer_cancel(transfer=cancelled, actor=salesperson)
    assert (at(pen, main), units_in_transit(pen), accounted(pen)) == (8, 0, 10)

    partial.refresh_from_db()
    assert [(line.quantity, line.received) for line in partial.lines.order_by("product__sku")] == [
        (2, 0),
        (3, 2),
    ]
    for product in (pen, ink):
        assert_ledger_reconciles(product)


def test_shipping_more_than_the_source_holds_is_409_and_moves_nothing(salesperson, store):
    pen = ProductFactory(sku="PEN", stock=2)
    transfer = draft(salesperson, main_location(), store, (pen, 3))
    movements = StockMovement.objects.count()

    with pytest.raises(InsufficientStock) as refused:
        transfer_ship(transfer=transfer, actor=salesperson)

    assert refused.value.shortfalls == [{"product": pen.pk, "sku": "PEN", "requested": 3, "available": 2}]
    transfer.refresh_from_db()
    assert (transfer.status, at(pen, main_location()), StockMovement.objects.count()) == (
        T.DRAFT,
        2,
        movements,
    )


@pytest.mark.parametrize(
    ("steps", "refused"),
    [
        ([], transfer_receive),  # a draft is not received
        ([transfer_ship], transfer_ship),
        ([transfer_ship, transfer_receive], transfer_cancel),
        ([transfer_cancel], transfer_ship),
    ],
)
def test_steps_out_of_order_are_409_and_change_nothing(salesperson, store, steps, refused):
    pen = ProductFactory(sku="PEN", stock=5)
    transfer = draft(salesperson, main_location(), store, (pen, 2))
    for step in steps:
        step(transfer=transfer, actor=salesperson)
    before = (Transfer.objects.get(pk=transfer.pk).status, at(pen, main_location()), at(pen, store))

    with pytest.raises(ConflictError) as error:
        refused(transfer=transfer, actor=salesperson)

    assert error.value.code == "invalid_transition"
    assert (Transfer.objects.get(pk=transfer.pk).status, at(pen, main_location()), at(pen, store)) == before


def _api_draft(client, **overrides):
    body = {"from_location": "main", "to_location": "store-1", "items": [{"sku": "PEN", "quantity": 2}]}
    return client.post(URL, {**body, **overrides}, format="json")


@pytest.mark.parametrize(
    ("who", "read", "write"),
    [("ceo", 200, 201), ("salesperson", 200, 201), ("customer", 403, 403), ("anon", 401, 401)],
)
def test_role_matrix_for_transfers(request, salesperson, store, who, read, write):
    pen = ProductFactory(sku="PEN", stock=5)
    existing = draft(salesperson, main_location(), store, (pen, 1))
    client = request.getfixturevalue(f"{who}_client")
    entries = AuditEntry.objects.count()

    assert client.get(URL).status_code == read
    assert client.get(f"{URL}{existing.pk}/").status_code == read
    assert _api_draft(client).status_code == write
    for step in ("ship", "receive", "cancel"):  # the draft is shipped, received, then cancel is 409
        assert client.post(f"{URL}{existing.pk}/{step}/", {}, format="json").status_code in (
            {200, 409} if write == 201 else {write}
        )

    if write != 201:  # refused requests change nothing
        assert Transfer.objects.count() == 1
        assert Transfer.objects.get(pk=existing.pk).status == T.DRAFT
        assert at(pen, main_location()) == 5
        assert AuditEntry.objects.count() == entries


def test_a_transfer_through_the_api(salesperson_client, store):
    ProductFactory(sku="PEN", stock=5)

    created = _api_draft(salesperson_client, note="For the window")
    assert created.status_code == 201
    body = created.json()
    assert body["number"].startswith("TR-") and len(body["number"]) == len("TR-2026-000001")
    assert (body["status"], body["from_location"], body["to_location"], body["note"]) == (
        "draft",
        "main",
        "store-1",
        "For the window",
    )
    assert body["items"] == [
        {"product": body["items"][0]["product"], "sku": "PEN", "quantity": 2, "received": 0}
    ]
    shipped = salesperson_client.post(f"{URL}{body['id']}/ship/").json()
    assert shipped["status"] == "in_transit" and shipped["shipped_at"]
    received = salesperson_client.post(
        f"{URL}{body['id']}/receive/", {"items": [{"sku": "PEN", "quantity": 1}]}, format="json"
    ).json()
    assert (received["status"], received["items"][0]["received"]) == ("received", 1)
    moves = salesperson_client.get("/api/v1/inventory/PEN/movements/").json()["results"]
    assert [(m["reason"], m["location"], m["delta"]) for m in moves[:3]] == [
        ("transfer_loss", "store-1", -1),
        ("transfer_in", "store-1", 2),
        ("transfer_out", "main", -2),
    ]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"to_location": "main"}, "to_location"),
        ({"to_location": "nowhere"}, "to_location"),
        ({"from_location": "ma\x00in"}, "from_location"),
        ({"items": [{"sku": "NOPE", "quantity": 1}]}, "items"),
        ({"items": [{"sku": "PEN", "quantity": 0}]}, "items"),
        ({"items": []}, "items"),
    ],
)
def test_a_bad_transfer_is_400_on_its_field_and_nothing_is_made(salesperson_client, store, overrides, field):
    ProductFactory(sku="PEN", stock=5)

    response = _api_draft(salesperson_client, **overrides)

    assert response.status_code == 400
    assert field in response.json()
    assert not Transfer.objects.exists()


def test_receiving_more_than_was_shipped_is_400_and_changes_nothing(salesperson, salesperson_client, store):
    pen = ProductFactory(sku="PEN", stock=5)
    transfer = draft(salesperson, main_location(), store, (pen, 2))
    transfer_ship(transfer=transfer, actor=salesperson)

    response = salesperson_client.post(
        f"{URL}{transfer.pk}/receive/", {"items": [{"sku": "PEN", "quantity": 3}]}, format="json"
    )

    assert response.status_code == 400
    assert "items" in response.json()
    assert (Transfer.objects.get(pk=transfer.pk).status, at(pen, store)) == (T.IN_TRANSIT, 0)


def test_the_transfer_list_runs_a_constant_number_of_queries(
    salesperson, salesperson_client, store, django_assert_max_num_queries
):
    products = [ProductFactory(stock=50) for _ in range(3)]

    def transfers(count):
        for _ in range(count):
            draft(salesperson, main_location(), store, *((product, 1) for product in products))

    transfers(2)
    with django_assert_max_num_queries(8) as few:
        assert len(salesperson_client.get(f"{URL}?page_size=100").json()["results"]) == 2
    transfers(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(salesperson_client.get(f"{URL}?page_size=100").json()["results"]) == 12


def test_staff_ship_receive_and_cancel_in_the_admin(salesperson, store):
    pen = ProductFactory(sku="PEN", stock=5)
    first = draft(salesperson, main_location(), store, (pen, 2))
    second = draft(salesperson, main_location(), store, (pen, 9))
    client = Client()
    client.force_login(salesperson)

    def act(action, *transfers):
        return client.post(
            "/admin/inventory/transfer/",
            {"action": action, "_selected_action": [t.pk for t in transfers]},
            follow=True,
        )

    shipped = act("ship", first, second)  # the second is short: refused on its own
    assert shipped.status_code == 200
    assert "nothing changed" in shipped.content.decode()
    assert [Transfer.objects.get(pk=t.pk).status for t in (first, second)] == [T.IN_TRANSIT, T.DRAFT]
    act("receive", first)
    act("cancel", second)
    assert [Transfer.objects.get(pk=t.pk).status for t in (first, second)] == [T.RECEIVED, T.CANCELLED]
    assert (at(pen, main_location()), at(pen, store)) == (3, 2)
