from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from audit.models import AuditAction, AuditEntry
from catalog.models import ProductStatus
from catalog.tests.factories import ProductFactory
from inventory.models import MovementReason, Stock, StockMovement
from orders.models import Order, OrderItem, OrderStatus, OrderStatusChange
from orders.services import order_place
from orders.tests.factories import ADDRESS, place_order
from salesbackend.exceptions import InsufficientStock

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _pricing(settings):
    settings.SALES_TAX_RATE = D("0.20")
    settings.SHIPPING_FLAT_FEE = D("5.00")
    settings.FREE_SHIPPING_THRESHOLD = D("50.00")


def _stock(product) -> int:
    return Stock.objects.get(product=product).quantity


def test_placing_takes_stock_writes_items_history_and_audit(customer):
    pen, ink = ProductFactory(price=D("2.50"), cost_price=D("1.10"), stock=10), ProductFactory(stock=5)

    order = place_order(customer=customer, products={pen: 3, ink: 1})

    assert order.status == OrderStatus.PENDING
    assert order.number == f"SO-{order.created_at:%Y}-{order.pk:06d}"
    assert (_stock(pen), _stock(ink)) == (7, 4)
    sales = StockMovement.objects.filter(order_id=order.pk, reason=MovementReason.SALE)
    assert sorted(sales.values_list("product_id", "delta")) == sorted([(pen.pk, -3), (ink.pk, -1)])
    assert list(order.items.values_list("sku", "quantity", "unit_price", "unit_cost", "line_total")) == [
        (pen.sku, 3, D("2.50"), D("1.10"), D("7.50")),
        (ink.sku, 1, D("19.99"), D("12.00"), D("19.99")),
    ]
    assert list(order.status_history.values_list("from_status", "to_status", "by")) == [
        ("", "pending", customer.pk)
    ]
    entry = AuditEntry.objects.get(entity_type="orders.order", entity_id=str(order.pk))
    assert (entry.action, entry.actor) == (AuditAction.CREATE, customer)


def test_totals_follow_the_pricing_settings(customer, settings):
    settings.SALES_TAX_RATE = D("0.19")
    product = ProductFactory(price=D("13.37"), stock=10)

    order = place_order(customer=customer, products={product: 3})

    assert (order.subtotal, order.discount, order.tax, order.shipping, order.total) == (
        D("40.11"),
        D("0.00"),
        D("7.62"),  # 7.6209
        D("5.00"),
        D("52.73"),
    )
    assert order.currency == settings.SALES_CURRENCY


def test_repeated_products_are_merged_into_one_line(customer):
    product = ProductFactory(stock=10)

    order = order_place(
        customer=customer,
        actor=customer,
        lines=[{"product": product.pk, "quantity": 2}, {"sku": product.sku, "quantity": 3}],
        shipping_address=ADDRESS,
    ).order

    assert list(order.items.values_list("quantity", flat=True)) == [5]
    assert _stock(product) == 5


def test_price_snapshot_survives_a_later_price_change(customer):
    product = ProductFactory(price=D("10.00"), cost_price=D("4.00"), name="Original", stock=3)
    order = place_order(customer=customer, products={product: 2})

    product.price, product.cost_price, product.name = D("99.00"), D("50.00"), "Renamed"
    product.save()

    item = OrderItem.objects.get(order=order)
    assert (item.unit_price, item.unit_cost, item.line_total, item.name) == (
        D("10.00"),
        D("4.00"),
        D("20.00"),
        "Original",
    )
    assert Order.objects.get(pk=order.pk).subtotal == D("20.00")


def test_not_enough_stock_names_every_short_line_and_changes_nothing(customer):
    short, fine, empty = ProductFactory(stock=1), ProductFactory(stock=9), ProductFactory(stock=0)

    with pytest.raises(InsufficientStock) as error:
        place_order(customer=customer, products={short: 2, fine: 1, empty: 1})

    assert sorted(error.value.shortfalls, key=lambda s: s["product"]) == sorted(
        [
            {"product": short.pk, "sku": short.sku, "requested": 2, "available": 1},
            {"product": empty.pk, "sku": empty.sku, "requested": 1, "available": 0},
        ],
        key=lambda s: s["product"],
    )
    assert (_stock(short), _stock(fine), _stock(empty)) == (1, 9, 0)
    assert not Order.objects.exists()
    assert not StockMovement.objects.filter(reason=MovementReason.SALE).exists()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"product": 999_999, "quantity": 1}, "Unknown product"),
        ({"sku": "NOPE", "quantity": 1}, "Unknown product"),
    ],
)
def test_unknown_product_is_a_field_error(customer, line, message):
    with pytest.raises(ValidationError) as error:
        order_place(customer=customer, actor=customer, lines=[line], shipping_address=ADDRESS)

    assert message in error.value.message_dict["items"][0]
    assert not Order.objects.exists()


@pytest.mark.parametrize("status", [ProductStatus.INACTIVE, ProductStatus.ARCHIVED])
def test_non_active_product_is_a_field_error(customer, status):
    product = ProductFactory(status=status, stock=5)

    with pytest.raises(ValidationError) as error:
        place_order(customer=customer, products={product: 1})

    assert "not available" in error.value.message_dict["items"][0]
    assert _stock(product) == 5


def test_staff_may_give_a_discount_up_to_the_subtotal(customer, salesperson):
    product = ProductFactory(price=D("30.00"), stock=5)

    order = place_order(customer=customer, actor=salesperson, products={product: 2}, discount=D("15.00"))

    assert (order.subtotal, order.discount, order.tax, order.shipping, order.total) == (
        D("60.00"),
        D("15.00"),
        D("9.00"),
        D("5.00"),
        D("59.00"),
    )
    assert order.placed_by == salesperson
    with pytest.raises(ValidationError) as error:
        place_order(customer=customer, actor=salesperson, products={product: 1}, discount=D("30.01"))
    assert "discount" in error.value.message_dict


def test_a_customer_may_not_give_a_discount(customer):
    product = ProductFactory(stock=5)

    with pytest.raises(ValidationError) as error:
        place_order(customer=customer, products={product: 1}, discount=D("1.00"))

    assert "discount" in error.value.message_dict
    assert _stock(product) == 5


def test_after_commit_the_event_is_published_and_the_customer_mailed(
    customer, settings, django_capture_on_commit_callbacks
):
    settings.ORDER_CONFIRMATIONS = "task"  # one task per order (the outbox has its own tests)
    product = ProductFactory(stock=5)

    with (
        mock.patch("salesbackend.events.publish") as publish,
        django_capture_on_commit_callbacks(execute=True),
    ):
        order = place_order(customer=customer, products={product: 2})

    publish.assert_any_call("order_placed", mock.ANY)
    event = next(call.args[1] for call in publish.call_args_list if call.args[0] == "order_placed")
    assert (event["id"], event["number"], event["total"]) == (order.pk, order.number, order.total)
    assert [message.to for message in mail.outbox] == [[customer.email]]
    assert order.number in mail.outbox[0].subject
    assert str(product.cost_price) not in mail.outbox[0].body


def test_redis_and_broker_outages_never_fail_an_order(customer, django_capture_on_commit_callbacks):
    product = ProductFactory(stock=5)

    with (
        mock.patch("salesbackend.events.publish", side_effect=ConnectionError("redis down")),
        mock.patch("orders.tasks.send_order_confirmation.delay", side_effect=ConnectionError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        order = place_order(customer=customer, products={product: 1})

    assert Order.objects.filter(pk=order.pk, status=OrderStatus.PENDING).exists()
    assert _stock(product) == 4


@pytest.mark.django_db(transaction=True)
def test_a_failure_after_stock_was_taken_leaves_nothing_behind(customer):
    with transaction.atomic():  # stock_create locks the new stock row
        product = ProductFactory(stock=5)
    movements_before = StockMovement.objects.count()

    with (
        mock.patch("orders.services.placement.record", side_effect=RuntimeError("audit down")),
        pytest.raises(RuntimeError),
    ):
        place_order(customer=customer, products={product: 2})

    assert _stock(product) == 5
    assert StockMovement.objects.count() == movements_before
    assert not Order.objects.exists()
    assert not OrderItem.objects.exists()
    assert not OrderStatusChange.objects.exists()
    ledger = StockMovement.objects.filter(product=product).aggregate(total=Sum("delta"))["total"]
    assert ledger == 5
