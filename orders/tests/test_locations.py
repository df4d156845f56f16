"""Orders and stock at several locations: allocation in placement (channel, priority, split),
allocations recorded, pending edits re-allocating, cancel and refund restocking to origin."""

from collections import defaultdict

import pytest
from django.db.models import Sum

from catalog.models import SalesChannel
from catalog.tests.factories import ProductFactory
from inventory.models import Location, LocationStock, MovementReason, Stock, StockMovement
from inventory.services import main_location, stock_adjust
from orders.models import Allocation
from orders.models import OrderStatus as S
from orders.services import order_cancel, order_refund, order_set_status, order_update
from orders.tests.factories import place_order
from salesbackend.exceptions import InsufficientStock

pytestmark = pytest.mark.django_db


def location(code, *, priority=50, channels=(), is_active=True, kind="store") -> Location:
    place = Location.objects.create(
        code=code, name=code.title(), priority=priority, is_active=is_active, kind=kind
    )
    place.channels.set(SalesChannel.objects.filter(code__in=channels))
    return place


def at(product, place) -> int:
    row = LocationStock.objects.filter(stock__product=product, location=place).first()
    return row.quantity if row else 0


def put(product, place, units, actor):
    stock_adjust(product=product, actor=actor, reason=MovementReason.RESTOCK, delta=units, location=place)


def allocations(order) -> dict:
    found = defaultdict(dict)
    for a in Allocation.objects.filter(item__order=order).select_related("item", "location"):
        found[a.item.sku][a.location.code] = a.quantity
    return dict(found)


def assert_ledger_reconciles():
    """Every (product, location) row equals the sum of its movements; every total its rows."""
    ledger = {
        (row["product"], row["location"]): row["total"]
        for row in StockMovement.objects.values("product", "location").annotate(total=Sum("delta"))
    }
    for row in LocationStock.objects.select_related("stock"):
        assert ledger.get((row.stock.product_id, row.location_id), 0) == row.quantity
    for total in Stock.objects.all():
        assert total.quantity == sum(r.quantity for r in LocationStock.objects.filter(stock=total))


def test_one_location_orders_come_from_main_and_record_their_allocation(customer):
    pen = ProductFactory(sku="PEN", stock=5)

    order = place_order(customer=customer, products={pen: 2})

    assert allocations(order) == {"PEN": {"main": 2}}
    assert at(pen, main_location()) == 3
    assert_ledger_reconciles()


def test_a_single_location_filling_the_order_is_preferred_then_a_split_by_priority(customer, salesperson):
    pen, ink = ProductFactory(sku="PEN", stock=2), ProductFactory(sku="INK", stock=0)
    store = location("store-1", priority=10)  # every channel
    put(pen, store, 3, salesperson)
    put(ink, store, 1, salesperson)

    whole = place_order(customer=customer, products={pen: 1, ink: 1})  # only the store has both
    split = place_order(customer=customer, products={pen: 3})  # main 2 (priority 100), store 1

    assert allocations(whole) == {"PEN": {"store-1": 1}, "INK": {"store-1": 1}}
    assert allocations(split) == {"PEN": {"main": 2, "store-1": 1}}
    assert (at(pen, main_location()), at(pen, store)) == (0, 1)
    assert Stock.objects.get(product=pen).quantity == 1
    assert_ledger_reconciles()


def test_only_the_channels_active_locations_sell(customer, salesperson):
    pen = ProductFactory(sku="PEN", stock=0)
    shop = location("shop", channels=["retail"])
    closed = location("closed", is_active=False)
    put(pen, shop, 5, salesperson)
    put(pen, closed, 5, salesperson)

    with pytest.raises(InsufficientStock) as refused:
        place_order(customer=customer, products={pen: 1}, channel_code="web")
    retail = place_order(customer=customer, products={pen: 2}, channel_code="retail")

    assert refused.value.shortfalls[0]["available"] == 0
    assert allocations(retail) == {"PEN": {"shop": 2}}
    assert (at(pen, shop), at(pen, closed)) == (3, 5)


def test_cancel_puts_units_back_where_they_came_from(customer, salesperson):
    pen = ProductFactory(sku="PEN", stock=2)
    store = location("store-1", priority=10)
    put(pen, store, 3, salesperson)
    order = place_order(customer=customer, products={pen: 4})

    order_cancel(order=order, actor=customer)

    assert (at(pen, main_location()), at(pen, store)) == (2, 3)
    assert_ledger_reconciles()


def test_refund_restocks_at_origin_or_at_a_named_location(customer, salesperson):
    pen = ProductFactory(sku="PEN", stock=0)
    store, back_office = location("store-1"), location("back-office", priority=1)
    put(pen, store, 5, salesperson)
    order = place_order(customer=customer, products={pen: 4})
    for step in (S.PAID, S.SHIPPED, S.DELIVERED):
        order = order_set_status(order=order, to_status=step, actor=salesperson)

    order_refund(order=order, lines=[{"product": pen.pk, "quantity": 1}], actor=salesperson)
    order_refund(
        order=order, lines=[{"product": pen.pk, "quantity": 2}], actor=salesperson, location=back_office
    )

    assert (at(pen, store), at(pen, back_office)) == (2, 2)
    assert_ledger_reconciles()


def test_editing_a_pending_order_re_allocates_by_the_difference(customer, salesperson):
    pen, ink = ProductFactory(sku="PEN", stock=1), ProductFactory(sku="INK", stock=5)
    store = location("store-1", priority=10)
    put(pen, store, 5, salesperson)
    order = place_order(customer=customer, products={pen: 1, ink: 1})

    order_update(order=order, actor=customer, items=[{"product": pen.pk, "quantity": 3}])

    assert allocations(order) == {"PEN": {"main": 1, "store-1": 2}}
    assert (at(pen, main_location()), at(pen, store), at(ink, main_location())) == (0, 3, 5)
    order_update(order=order, actor=customer, items=[{"product": pen.pk, "quantity": 1}])
    assert allocations(order) == {"PEN": {"main": 1}}
    assert (at(pen, main_location()), at(pen, store)) == (0, 5)
    assert_ledger_reconciles()


def test_adjusting_without_a_location_goes_to_the_only_stocked_one_else_main(salesperson):
    pen = ProductFactory(sku="PEN", stock=0)
    store = location("store-1")
    put(pen, store, 4, salesperson)

    stock_adjust(product=pen, actor=salesperson, reason=MovementReason.RESTOCK, delta=1)
    assert at(pen, store) == 5
    put(pen, main_location(), 1, salesperson)
    stock_adjust(product=pen, actor=salesperson, reason=MovementReason.RESTOCK, delta=1)
    assert (at(pen, store), at(pen, main_location())) == (5, 2)
    assert_ledger_reconciles()


def test_a_refused_placement_changes_nothing_at_any_location(customer, salesperson):
    pen = ProductFactory(sku="PEN", stock=1)
    store = location("store-1")
    put(pen, store, 1, salesperson)

    with pytest.raises(InsufficientStock):
        place_order(customer=customer, products={pen: 3})

    assert (at(pen, main_location()), at(pen, store)) == (1, 1)
    assert not Allocation.objects.exists()


def test_staff_see_allocations_on_order_items_customers_never(
    customer, customer_client, salesperson, salesperson_client
):
    pen = ProductFactory(sku="PEN", stock=1)
    store = location("store-1", priority=10)
    put(pen, store, 1, salesperson)
    order = place_order(customer=customer, products={pen: 2})  # main 1, store 1

    staff_view = salesperson_client.get(f"/api/v1/orders/{order.pk}/").json()
    staff_list = salesperson_client.get("/api/v1/orders/").json()["results"]
    own_view = customer_client.get(f"/api/v1/orders/{order.pk}/").json()
    own_list = customer_client.get("/api/v1/orders/").json()["results"]

    expected = [{"location": "main", "quantity": 1}, {"location": "store-1", "quantity": 1}]
    assert staff_view["items"][0]["allocations"] == expected
    assert staff_list[0]["items"][0]["allocations"] == expected
    for body in (own_view, own_list[0]):
        assert "allocations" not in body["items"][0]
        assert "store-1" not in str(body) and "location" not in str(body)


def test_staff_placing_an_order_see_its_allocations_in_the_answer(customer, salesperson_client):
    pen = ProductFactory(sku="PEN", stock=3)
    body = {
        "customer": customer.pk,
        "items": [{"product": pen.pk, "quantity": 2}],
        "shipping_address": {
            "name": "A",
            "line1": "1 St",
            "city": "Paris",
            "postal_code": "75001",
            "country": "FR",
        },
    }

    placed = salesperson_client.post("/api/v1/orders/", body, format="json")

    assert placed.status_code == 201
    assert placed.json()["items"][0]["allocations"] == [{"location": "main", "quantity": 2}]


def test_a_refund_through_the_api_may_name_the_location_that_takes_the_units(
    customer, salesperson, salesperson_client
):
    pen = ProductFactory(sku="PEN", stock=3)
    back_office = location("back-office", priority=1)
    order = place_order(customer=customer, products={pen: 2})
    for step in (S.PAID, S.SHIPPED, S.DELIVERED):
        order = order_set_status(order=order, to_status=step, actor=salesperson)
    url = f"/api/v1/orders/{order.pk}/refunds/"
    line = {"items": [{"sku": "PEN", "quantity": 1}], "reason": "damaged"}

    unknown = salesperson_client.post(url, {**line, "location": "nowhere"}, format="json")
    named = salesperson_client.post(url, {**line, "location": "back-office"}, format="json")
    default = salesperson_client.post(url, line, format="json")

    assert unknown.status_code == 400 and "location" in unknown.json()
    assert (named.status_code, default.status_code) == (201, 201)
    assert (at(pen, back_office), at(pen, main_location())) == (1, 2)
    assert_ledger_reconciles()


def test_placing_with_three_locations_costs_what_it_costs_with_one(customer, salesperson):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalog.selectors import active_channel

    active_channel("web")  # the channels come from this process's copy
    warm = ProductFactory(stock=1)
    one = [ProductFactory(stock=5) for _ in range(3)]
    three = [ProductFactory(stock=1) for _ in range(3)]
    for n, priority in enumerate((50, 10)):
        place = location(f"store-{n}", priority=priority)
        for product in three:
            put(product, place, 1, salesperson)
    place_order(customer=customer, products={warm: 1})  # the category tree is this process's copy now

    with CaptureQueriesContext(connection) as at_one:
        place_order(customer=customer, products=dict.fromkeys(one, 1))
    with CaptureQueriesContext(connection) as split:  # 3 units of each: one from every location
        place_order(customer=customer, products=dict.fromkeys(three, 3))

    assert len(split.captured_queries) == len(at_one.captured_queries)  # the contract allows 2 more
    assert {a.location.code for a in Allocation.objects.filter(item__product=three[0])} == {
        "main",
        "store-0",
        "store-1",
    }


def test_the_staff_order_list_reads_allocations_without_a_query_per_order(
    customer, salesperson, salesperson_client, django_assert_max_num_queries, settings
):
    settings.ORDER_MAX_PENDING_PER_CUSTOMER = 0  # no cap on unpaid orders
    store = location("store-1", priority=10)

    def orders_split_over_two_locations(count):
        for _ in range(count):
            pen = ProductFactory(stock=1)
            put(pen, store, 1, salesperson)
            place_order(customer=customer, products={pen: 2})

    orders_split_over_two_locations(2)
    with django_assert_max_num_queries(12) as few:
        body = salesperson_client.get("/api/v1/orders/?page_size=100").json()["results"]
    assert [len(order["items"][0]["allocations"]) for order in body] == [2, 2]

    orders_split_over_two_locations(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = salesperson_client.get("/api/v1/orders/?page_size=100").json()["results"]
    assert [len(order["items"][0]["allocations"]) for order in body] == [2] * 12


def test_a_customers_refusal_names_no_location(customer, customer_client, salesperson):
    pen = ProductFactory(sku="PEN", stock=1)
    store = location("store-1", priority=10)
    put(pen, store, 1, salesperson)
    body = {
        "items": [{"product": pen.pk, "quantity": 5}],
        "shipping_address": {
            "name": "A",
            "line1": "1 St",
            "city": "Paris",
            "postal_code": "75001",
            "country": "FR",
        },
    }

    refused = customer_client.post("/api/v1/orders/", body, format="json")

    assert refused.status_code == 409
    assert refused.json()["items"] == [{"product": pen.pk, "sku": "PEN", "requested": 5, "available": 2}]
    assert "store-1" not in refused.content.decode() and "location" not in refused.content.decode()
