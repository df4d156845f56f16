"""Each sales-ledger row carries its order's discount code, the migration fills it for rows
written before, and coded sales roll up per day, channel and code (`DailyCodeSales`): the
discounts report reads them without the ledger."""

import importlib

import pytest
from django.db import connection
from django.db.models import Sum

from catalog.tests.factories import CategoryFactory, ProductFactory
from orders.ledger import sales_rollup_differences
from orders.models import DailyCodeSales, OrderStatus, RefundReason, SalesRecord
from orders.services import order_refund, order_set_status
from orders.tests.factories import DiscountCodeFactory, place_order

pytestmark = pytest.mark.django_db

fill = importlib.import_module("orders.migrations.0017_sales_ledger_carries_the_discount_code")


@pytest.fixture
def products():
    category = CategoryFactory()
    return [ProductFactory(stock=20, category=category) for _ in range(2)]


def _deliver(order, actor):
    for status in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        order_set_status(order=order, to_status=status, actor=actor)


def test_sales_refunds_and_reversals_carry_the_orders_code(customer, salesperson, products):
    code = DiscountCodeFactory(code="TEN")
    refunded = place_order(customer=customer, products=dict.fromkeys(products, 2), discount_code="TEN")
    cancelled = place_order(customer=customer, products={products[0]: 1}, discount_code="TEN")
    plain = place_order(customer=customer, products={products[1]: 1})
    _deliver(refunded, salesperson)
    order_refund(
        order=refunded,
        lines=[{"product": products[0].pk, "quantity": 1}],
        restock=True,
        reason=RefundReason.DAMAGED,
        note="",
        actor=salesperson,
    )
    order_set_status(order=cancelled, to_status=OrderStatus.PAID, actor=salesperson)
    order_set_status(order=cancelled, to_status=OrderStatus.CANCELLED, actor=salesperson)
    order_set_status(order=plain, to_status=OrderStatus.PAID, actor=salesperson)

    coded = SalesRecord.objects.filter(order__in=[refunded, cancelled])
    assert {(row.quantity > 0, row.discount_code_id) for row in coded} == {(True, code.pk), (False, code.pk)}
    assert coded.count() == 5  # two sales and a refund row; a sale and its reversal
    assert set(SalesRecord.objects.filter(order=plain).values_list("discount_code_id", flat=True)) == {None}


def test_the_migration_fills_the_code_of_rows_written_before_it(customer, salesperson, products):
    code = DiscountCodeFactory(code="FIVE")
    coded = place_order(customer=customer, products={products[0]: 1}, discount_code="FIVE")
    plain = place_order(customer=customer, products={products[1]: 1})
    for order in (coded, plain):
        order_set_status(order=order, to_status=OrderStatus.PAID, actor=salesperson)
    SalesRecord.objects.update(discount_code=None)  # as the rows stood before the column

    with connection.cursor() as cursor:  # the migration's statement (a schema editor needs no transaction)
        cursor.execute(fill.FILL)

    assert list(SalesRecord.objects.filter(order=coded).values_list("discount_code_id", flat=True)) == [
        code.pk
    ]
    assert list(SalesRecord.objects.filter(order=plain).values_list("discount_code_id", flat=True)) == [None]


def test_coded_sales_roll_up_per_day_channel_and_code_and_stay_exact(customer, salesperson, products):
    code = DiscountCodeFactory(code="ROLL")
    kept = place_order(customer=customer, products=dict.fromkeys(products, 2), discount_code="ROLL")
    cancelled = place_order(customer=customer, products={products[0]: 1}, discount_code="ROLL")
    plain = place_order(customer=customer, products={products[1]: 1})
    for order in (kept, cancelled, plain):
        order_set_status(order=order, to_status=OrderStatus.PAID, actor=salesperson)
    order_set_status(order=cancelled, to_status=OrderStatus.CANCELLED, actor=salesperson)

    rows = DailyCodeSales.objects.filter(discount_code=code)
    totals = rows.aggregate(revenue=Sum("revenue"), sold=Sum("orders_sold"), reversed=Sum("orders_reversed"))
    coded_revenue = SalesRecord.objects.filter(order__in=[kept, cancelled]).aggregate(Sum("revenue"))
    assert (totals["sold"], totals["reversed"]) == (2, 1)
    assert totals["revenue"] == coded_revenue["revenue__sum"] == kept.total - kept.tax - kept.shipping
    assert not DailyCodeSales.objects.exclude(discount_code=code).exists()  # the plain order has none
    assert sales_rollup_differences() == {}
