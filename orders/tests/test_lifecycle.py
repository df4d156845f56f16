from decimal import Decimal
from itertools import product as pairs

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Sum

from audit.models import AuditAction, AuditEntry
from catalog.tests.factories import CategoryFactory, ProductFactory, channel
from inventory.models import MovementReason, Stock, StockMovement
from orders.models import OrderStatus, OrderStatusChange, SalesRecord
from orders.services import TRANSITIONS, order_cancel, order_refund, order_set_status
from orders.tests.factories import place_order
from salesbackend.exceptions import ConflictError

pytestmark = pytest.mark.django_db
D = Decimal
S = OrderStatus

# How to reach each status from a new order along allowed transitions.
PATH_TO = {
    S.PENDING: [],
    S.PAID: [S.PAID],
    S.SHIPPED: [S.PAID, S.SHIPPED],
    S.DELIVERED: [S.PAID, S.SHIPPED, S.DELIVERED],
    S.CANCELLED: [S.CANCELLED],
    S.REFUNDED: [S.PAID, S.SHIPPED, S.DELIVERED, S.REFUNDED],
    S.PARTIALLY_REFUNDED: [S.PAID, S.SHIPPED, S.DELIVERED],  # then one unit is refunded
}
# Through the status endpoint: `partially_refunded` is reached only by refunding some units.
ALLOWED = [
    (src, dst)
    for src, targets in TRANSITIONS.items()
    for dst in sorted(targets)
    if dst != S.PARTIALLY_REFUNDED
]
FORBIDDEN = [
    (src, dst)
    for src, dst in pairs(S.values, S.values)
    if dst not in TRANSITIONS[src] or dst == S.PARTIALLY_REFUNDED
]


@pytest.fixture
def product():
    return ProductFactory(price=D("10.00"), cost_price=D("6.00"), stock=10)


def _order_in(status, *, customer, actor, products):
    order = place_order(customer=customer, products=products)
    for step in PATH_TO[status]:
        order = order_set_status(order=order, to_status=step, actor=actor)
    if status == S.PARTIALLY_REFUNDED:
        first = next(iter(products))
        order_refund(order=order, lines=[{"product": first.pk, "quantity": 1}], actor=actor)
        order.refresh_from_db()
    return order


def _stock(product) -> int:
    return Stock.objects.get(product=product).quantity


def _ledger(product) -> int:
    return StockMovement.objects.filter(product=product).aggregate(total=Sum("delta"))["total"]


def test_the_table_covers_every_status_and_the_contract():
    assert set(TRANSITIONS) == set(S.values)
    assert {(src, dst) for src, targets in TRANSITIONS.items() for dst in targets} == {
        (S.PENDING, S.PAID),
        (S.PAID, S.SHIPPED),
        (S.SHIPPED, S.DELIVERED),
        (S.PENDING, S.CANCELLED),
        (S.PAID, S.CANCELLED),
        (S.DELIVERED, S.REFUNDED),
        (S.DELIVERED, S.PARTIALLY_REFUNDED),
        (S.PARTIALLY_REFUNDED, S.PARTIALLY_REFUNDED),
        (S.PARTIALLY_REFUNDED, S.REFUNDED),
    }


@pytest.mark.parametrize(("src", "dst"), ALLOWED)
def test_every_allowed_transition_writes_history_and_audit(src, dst, customer, salesperson, product):
    order = _order_in(src, customer=customer, actor=salesperson, products={product: 2})

    order = order_set_status(order=order, to_status=dst, actor=salesperson, note="by phone")

    assert order.status == dst
    last = OrderStatusChange.objects.filter(order=order).last()
    assert (last.from_status, last.to_status, last.by, last.note) == (src, dst, salesperson, "by phone")
    entry = AuditEntry.objects.filter(action=AuditAction.STATUS_CHANGE, entity_id=str(order.pk)).first()
    assert entry.changes["status"] == [src, dst]
    assert entry.actor == salesperson


@pytest.mark.parametrize(("src", "dst"), FORBIDDEN)
def test_every_forbidden_transition_is_a_conflict_that_changes_nothing(
    src, dst, customer, salesperson, product
):
    order = _order_in(src, customer=customer, actor=salesperson, products={product: 2})
    history, stock, sales = order.status_history.count(), _stock(product), SalesRecord.objects.count()

    with pytest.raises(ConflictError) as error:
        order_set_status(order=order, to_status=dst, actor=salesperson)

    assert error.value.status_code == 409
    order.refresh_from_db()
    assert order.status == src
    assert (order.status_history.count(), _stock(product), SalesRecord.objects.count()) == (
        history,
        stock,
        sales,
    )


def test_sales_are_recorded_only_from_paid_on(customer, salesperson):
    category = CategoryFactory()
    cheap = ProductFactory(price=D("10.00"), cost_price=D("6.00"), category=category, stock=10)
    dear = ProductFactory(price=D("30.00"), cost_price=D("20.00"), stock=10)
    order = place_order(
        customer=customer,
        actor=salesperson,
        products={cheap: 2, dear: 1},
        discount=D("5.00"),
        channel_code="phone",
    )
    assert not SalesRecord.objects.exists()

    order_set_status(order=order, to_status=S.PAID, actor=salesperson)
    cheap.category = CategoryFactory()  # a later move of the product does not rewrite history
    cheap.save()
    order_set_status(order=order, to_status=S.SHIPPED, actor=salesperson)
    order_set_status(order=order, to_status=S.DELIVERED, actor=salesperson)

    rows = SalesRecord.objects.filter(order=order).order_by("order_item_id")
    assert [(r.product_id, r.quantity, r.revenue, r.cost) for r in rows] == [
        (cheap.pk, 2, D("18.00"), D("12.00")),  # 20.00 - 2.00 (20/50 of the discount)
        (dear.pk, 1, D("27.00"), D("20.00")),  # 30.00 - 3.00
    ]
    assert rows[0].category == category
    assert {(r.channel, r.customer) for r in rows} == {(channel("phone"), customer)}
    assert sum(r.revenue for r in rows) == order.subtotal - order.discount


def test_cancelling_a_pending_order_returns_stock_and_records_no_sale(customer, product):
    order = place_order(customer=customer, products={product: 4})

    order_cancel(order=order, actor=customer)

    assert _stock(product) == _ledger(product) == 10
    assert (
        StockMovement.objects.filter(order_id=order.pk, reason=MovementReason.CANCELLATION).get().delta == 4
    )
    assert not SalesRecord.objects.exists()


@pytest.mark.parametrize("final", [S.CANCELLED, S.REFUNDED])
def test_cancel_after_payment_and_refund_reverse_the_sale_and_return_stock(final, customer, ceo, product):
    order = _order_in(
        S.PAID if final == S.CANCELLED else S.DELIVERED, customer=customer, actor=ceo, products={product: 3}
    )
    assert _stock(product) == 7

    order_set_status(order=order, to_status=final, actor=ceo)

    assert _stock(product) == _ledger(product) == 10
    returned = StockMovement.objects.get(order_id=order.pk, delta=3)
    assert returned.reason == (MovementReason.RETURN if final == S.REFUNDED else MovementReason.CANCELLATION)
    rows = SalesRecord.objects.filter(order=order)
    assert sorted(rows.values_list("quantity", "revenue", "cost")) == [
        (-3, D("-30.00"), D("-18.00")),
        (3, D("30.00"), D("18.00")),
    ]
    assert rows.aggregate(total=Sum("revenue"))["total"] == 0


def test_owner_cancels_only_while_pending(customer, salesperson, product):
    pending = place_order(customer=customer, products={product: 1})
    paid = _order_in(S.PAID, customer=customer, actor=salesperson, products={product: 1})

    assert order_cancel(order=pending, actor=customer).status == S.CANCELLED
    with pytest.raises(ConflictError):
        order_cancel(order=paid, actor=customer)
    paid.refresh_from_db()
    assert paid.status == S.PAID


@pytest.mark.parametrize(("status", "cancellable"), [(S.PENDING, True), (S.PAID, True), (S.SHIPPED, False)])
def test_staff_cancel_while_pending_or_paid(status, cancellable, customer, salesperson, product):
    order = _order_in(status, customer=customer, actor=salesperson, products={product: 1})

    if cancellable:
        assert order_cancel(order=order, actor=salesperson).status == S.CANCELLED
    else:
        with pytest.raises(ConflictError):
            order_cancel(order=order, actor=salesperson)


def test_another_customer_may_not_cancel(customer, other_customer, product):
    order = place_order(customer=customer, products={product: 1})

    with pytest.raises(PermissionDenied):
        order_cancel(order=order, actor=other_customer)

    order.refresh_from_db()
    assert order.status == S.PENDING
    assert _stock(product) == 9


def test_only_staff_or_system_work_move_an_order_along_the_status_machine(customer, salesperson):
    from django.core.exceptions import PermissionDenied

    from catalog.tests.factories import ProductFactory
    from orders.tests.factories import place_order

    order = place_order(customer=customer, products={ProductFactory(stock=3): 1})

    with pytest.raises(PermissionDenied):
        order_set_status(order=order, to_status=OrderStatus.PAID, actor=customer)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert order_set_status(order=order, to_status=OrderStatus.PAID, actor=None).status == OrderStatus.PAID
