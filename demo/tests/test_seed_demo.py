import re
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from itertools import pairwise

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db.models import Count, F, Max, Sum
from django.utils import timezone

from accounts.roles import Role
from analytics.selectors import SalesFilters, customer_summary
from audit.models import AuditAction, AuditEntry
from catalog.models import Category, Product, ProductStatus
from catalog.selectors import category_descendant_ids
from demo.generator import DEMO_PASSWORD, HISTORY_DAYS
from inventory.models import Stock, StockMovement
from orders import pricing
from orders.ledger import sales_rollup_differences
from orders.models import DiscountCode, Order, OrderStatus, Refund, SalesRecord

pytestmark = pytest.mark.django_db

User = get_user_model()

SMALL = {"customers": 4, "products": 12, "orders": 30, "seed": 7}


def seed_demo(*args, **options) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def local_run(settings):
    """`make run`: DJANGO_DEBUG on, where the demo accounts get the published password."""
    settings.DEBUG = True


def test_demo_users_have_their_roles_and_the_printed_password(local_run):
    output = seed_demo(**SMALL)

    assert DEMO_PASSWORD in output
    for username, role in (("ceo", Role.CEO), ("sales", Role.SALESPERSON), ("customer", Role.CUSTOMER)):
        user = authenticate(username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        assert user.role == role
        assert user.is_staff == (role != Role.CUSTOMER)
        assert username in output


def test_catalog_is_a_tree_of_products_whose_stock_equals_the_ledger():
    seed_demo(**SMALL)

    assert Product.objects.count() == 12
    assert Category.objects.filter(parent__parent__isnull=False).exists()  # three levels deep
    assert not Product.objects.filter(category__children__isnull=False).exists()  # products sit on leaves
    ledger = dict(
        StockMovement.objects.values_list("product_id")
        .annotate(total=Sum("delta"))
        .values_list("product_id", "total")
    )
    stocks = dict(Stock.objects.values_list("product_id", "quantity"))
    assert set(stocks) == set(Product.objects.values_list("id", flat=True))
    assert all(stocks[pid] == ledger.get(pid, 0) for pid in stocks)


def test_orders_span_18_months_in_every_status_with_their_history():
    seed_demo(**SMALL)
    now = timezone.now()

    orders = list(Order.objects.prefetch_related("status_history", "items"))
    assert len(orders) == 30
    assert {order.status for order in orders} == set(OrderStatus.values)
    assert all(re.fullmatch(r"SO-\d{4}-\d{6}", order.number) for order in orders)
    assert all(order.number.startswith(f"SO-{order.created_at:%Y}-") for order in orders)
    for order in orders:
        history = list(order.status_history.all())
        assert history[0].from_status == "" and history[0].to_status == OrderStatus.PENDING
        assert history[0].created_at == order.created_at
        assert [change.from_status for change in history[1:]] == [change.to_status for change in history[:-1]]
        assert history[-1].to_status == order.status
        assert all(a.created_at <= b.created_at for a, b in pairwise(history))
        assert now - timedelta(days=HISTORY_DAYS + 1) <= order.created_at <= history[-1].created_at <= now
        assert order.items.count() >= 1


def test_order_money_is_priced_like_real_orders():
    seed_demo(**SMALL)

    for order in Order.objects.prefetch_related("items"):
        items = list(order.items.all())
        assert all(item.line_total == item.unit_price * item.quantity for item in items)
        totals = pricing.order_totals(
            line_totals=[item.line_total for item in items], discount=order.discount
        )
        assert (order.subtotal, order.tax, order.shipping, order.total) == (
            totals.subtotal,
            totals.tax,
            totals.shipping,
            totals.total,
        )


def test_sales_are_recorded_from_payment_on_and_reversed_on_refund_or_cancellation():
    seed_demo(**SMALL)

    for order in Order.objects.prefetch_related("status_history", "items", "sales_records"):
        reached = {change.to_status: change.created_at for change in order.status_history.all()}
        items = list(order.items.all())
        records = list(order.sales_records.all())
        sales = [r for r in records if r.quantity > 0]
        reversals = [r for r in records if r.quantity < 0]
        if OrderStatus.PAID not in reached:
            assert records == [], order.status
            continue
        assert sorted(r.order_item_id for r in sales) == sorted(item.pk for item in items)
        assert all(r.sold_at == reached[OrderStatus.PAID] for r in sales)
        assert sum(r.revenue for r in sales) == order.subtotal - order.discount
        assert sum(r.cost for r in sales) == sum(item.unit_cost * item.quantity for item in items)
        assert all(r.channel_id == order.channel_id and r.customer_id == order.customer_id for r in records)
        assert all(r.category_id == r.product.category_id for r in records)
        if order.status in (OrderStatus.REFUNDED, OrderStatus.CANCELLED):
            assert sorted((-r.quantity, -r.revenue, -r.cost) for r in reversals) == sorted(
                (r.quantity, r.revenue, r.cost) for r in sales
            )
            assert all(r.sold_at == reached[order.status] and r.reverses_order for r in reversals)
        elif order.status == OrderStatus.PARTIALLY_REFUNDED:  # one unit of its first line
            refund = order.refunds.get()
            assert [(r.order_item_id, r.quantity, r.reverses_order) for r in reversals] == [
                (items[0].pk, -1, False)
            ]
            assert [(line.order_item_id, line.quantity, line.revenue) for line in refund.lines.all()] == [
                (items[0].pk, 1, -reversals[0].revenue)
            ]
        else:
            assert reversals == []
        if order.status == OrderStatus.REFUNDED:
            assert order.refunds.get().amount == order.subtotal - order.discount + order.tax
    assert SalesRecord.objects.filter(quantity__lt=0).exists()  # the refunded showcase order


def test_seed_writes_one_audit_entry():
    seed_demo(**SMALL)

    entry = AuditEntry.objects.get(entity_type="seed_demo")
    assert entry.action == AuditAction.IMPORT
    assert entry.changes["orders"] == [None, 30]


def test_with_debug_off_no_demo_account_gets_the_published_password():
    output = seed_demo(**SMALL)

    assert DEMO_PASSWORD not in output
    for username in ("ceo", "sales", "customer"):
        assert authenticate(username=username, password=DEMO_PASSWORD) is None
        assert not User.objects.get(username=username).has_usable_password()


def test_if_empty_seeds_once_then_only_prints_the_credentials(local_run):
    seed_demo("--if-empty", **SMALL)
    counts = (Product.objects.count(), Order.objects.count(), SalesRecord.objects.count())

    output = seed_demo("--if-empty", **SMALL)

    assert (Product.objects.count(), Order.objects.count(), SalesRecord.objects.count()) == counts
    assert "already has products" in output
    assert DEMO_PASSWORD in output
    assert AuditEntry.objects.filter(entity_type="seed_demo").count() == 1


def test_seeding_again_adds_data_without_clashing():
    seed_demo(**SMALL)

    seed_demo(**{**SMALL, "seed": 8})

    assert Product.objects.count() == 24
    assert Order.objects.count() == 60
    assert Order.objects.values("number").distinct().count() == 60


# ---------------------------------------------------------------------------- every report has data

# Big enough for a customer joining in every month of the history and a few uses of each code.
SHOWROOM = {"customers": 40, "products": 40, "orders": 900, "seed": 11}


def test_orders_use_several_discount_codes_each_valid_then_and_priced_like_placement():
    seed_demo(**SHOWROOM)

    codes = {code.pk: code for code in DiscountCode.objects.prefetch_related("channels", "categories")}
    assert {"percent", "fixed"} <= {code.kind for code in codes.values()}
    assert any(code.ends_at and code.ends_at < timezone.now() for code in codes.values())  # an expired one
    assert any(not code.is_active for code in codes.values())
    assert any(code.categories.exists() for code in codes.values())
    assert any(code.channels.exists() for code in codes.values())
    assert AuditEntry.objects.filter(
        entity_type="orders.discountcode", action=AuditAction.CREATE
    ).count() == len(codes)

    used = list(Order.objects.filter(discount_code__isnull=False).prefetch_related("items__product"))
    assert len({order.discount_code_id for order in used}) >= 4
    assert 0.06 <= len(used) / Order.objects.count() <= 0.2
    for order in used:
        code = codes[order.discount_code_id]
        assert code.is_active
        assert code.starts_at is None or code.starts_at <= order.created_at
        assert code.ends_at is None or order.created_at < code.ends_at
        channels = {channel.pk for channel in code.channels.all()}
        assert not channels or order.channel_id in channels
        categories = set()
        for category in code.categories.all():
            categories |= category_descendant_ids(category=category)
        items = list(order.items.all())
        eligible = [not categories or item.product.category_id in categories for item in items]
        eligible_total = sum(item.line_total for item, ok in zip(items, eligible, strict=True) if ok)
        assert eligible_total >= code.min_subtotal
        assert order.discount == pricing.code_discount(
            kind=code.kind, value=code.value, eligible_total=eligible_total
        )
        shares = pricing.line_sales(
            lines=[(item.quantity, item.line_total, item.unit_cost) for item in items],
            discount=order.discount,
            eligible=eligible,
        )
        assert [item.discount for item in items] == [share.discount for share in shares]
        assert (
            order.total
            == pricing.order_totals(
                line_totals=[item.line_total for item in items], discount=order.discount
            ).total
        )
    assert not Order.objects.filter(
        discount_code__isnull=True, discount__gt=0, placed_by__isnull=True
    ).exists()
    per_customer = (
        Order.objects.filter(discount_code__max_uses_per_customer__isnull=False)
        .exclude(status=OrderStatus.CANCELLED)
        .values("discount_code", "customer")
        .annotate(uses=Count("id"), limit=Max("discount_code__max_uses_per_customer"))
    )
    assert all(row["uses"] <= row["limit"] for row in per_customer)


def test_customers_join_over_the_whole_history_and_never_order_before_joining():
    seed_demo(**SHOWROOM)
    now = timezone.now()

    assert not Order.objects.filter(created_at__lt=F("customer__date_joined")).exists()
    customers = User.objects.filter(groups__name=Role.CUSTOMER.group_name)
    joined_months = {joined.strftime("%Y-%m") for joined in customers.values_list("date_joined", flat=True)}
    history_months = {(now - timedelta(days=day)).strftime("%Y-%m") for day in range(HISTORY_DAYS)}
    assert history_months <= joined_months
    first_buyers = customer_summary(filters=SalesFilters(), group_by="month")
    assert len(first_buyers) >= 18
    assert all(row["new"] > 0 for row in first_buyers), [(row["period"], row["new"]) for row in first_buyers]


def test_refunds_and_partial_refunds_happen_in_the_last_30_days():
    seed_demo(**SHOWROOM)  # a history with orders every day (a tiny one may have none so recent)
    recent = Refund.objects.filter(created_at__gte=timezone.now() - timedelta(days=29))

    assert recent.filter(order__status=OrderStatus.REFUNDED).exists()
    assert recent.filter(order__status=OrderStatus.PARTIALLY_REFUNDED).exists()


def test_some_active_products_are_low_on_stock():
    seed_demo(**SMALL)

    low = Stock.objects.filter(product__status=ProductStatus.ACTIVE, quantity__lte=F("low_stock_threshold"))
    assert low.exists()


def test_the_rollups_match_the_ledger_and_money_is_to_the_cent():
    seed_demo(**SHOWROOM)

    assert sales_rollup_differences() == {}
    for field in ("subtotal", "discount", "tax", "shipping", "total"):
        assert all(
            value == value.quantize(Decimal("0.01")) for value in Order.objects.values_list(field, flat=True)
        )
    assert all(
        record.revenue == record.revenue.quantize(Decimal("0.01"))
        for record in SalesRecord.objects.only("revenue")
    )
