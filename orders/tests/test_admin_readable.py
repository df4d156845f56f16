"""What a person reads in the admin: addresses as lines, money with its currency, the refunds list,
field sentences instead of constraint names, and no internal tables in a salesperson's menu."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from catalog.tests.factories import ProductFactory
from orders.models import DiscountCode, IdempotencyKey, OrderStatus, Refund, SalesRecord
from orders.services import order_refund, order_set_status
from orders.tests.factories import DiscountCodeFactory, place_order

pytestmark = pytest.mark.django_db

INTERNAL_TABLES = [
    "orders_salesrecord",
    "orders_dailysales",
    "orders_productsales",
    "orders_dailyorders",
    "orders_dailycustomers",
    "orders_customersales",
    "orders_idempotencykey",
    "token_blacklist_outstandingtoken",
    "token_blacklist_blacklistedtoken",
]


def _browser(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def _delivered(customer, staff, products):
    order = place_order(customer=customer, products=products)
    for step in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        order = order_set_status(order=order, to_status=step, actor=staff)
    return order


def test_the_order_page_shows_the_address_as_lines_and_money_with_its_currency(
    salesperson, customer, settings
):
    settings.SALES_TAX_RATE = Decimal("0")
    lamp = ProductFactory(price=Decimal("1234.50"), stock=20)
    order = place_order(customer=customer, products={lamp: 10})

    page = _browser(salesperson).get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()

    assert "Ada Lovelace<br>12 Analytical Row<br>NW1 2AB London<br>GB<br>" in page
    assert '"line1"' not in page and "&quot;line1&quot;" not in page  # no raw JSON
    assert f"12,345.00 {order.currency}" in page
    assert f"1,234.50 {order.currency}" in page  # the unit price of the line


def test_the_order_list_shows_totals_with_currency_under_short_headings(salesperson, customer):
    order = place_order(customer=customer, products={ProductFactory(price=Decimal("10.00"), stock=5): 1})

    page = _browser(salesperson).get(reverse("admin:orders_order_changelist")).content.decode()

    assert f"{order.total:,.2f} {order.currency}" in page
    assert ">Placed<" in page or "placed</a>" in page.lower()
    assert "white-space: nowrap" in page  # numbers and dates never wrap


def test_products_and_fixed_discount_codes_show_money_with_currency(salesperson, settings):
    ProductFactory(price=Decimal("2500.00"))
    DiscountCodeFactory(code="TENOFF", kind="fixed", value=Decimal("10.00"))
    DiscountCodeFactory(code="PCT15", kind="percent", value=Decimal("15.00"))
    browser = _browser(salesperson)

    products = browser.get(reverse("admin:catalog_product_changelist")).content.decode()
    codes = browser.get(reverse("admin:orders_discountcode_changelist")).content.decode()

    assert f"2,500.00 {settings.SALES_CURRENCY}" in products
    assert f"10.00 {settings.SALES_CURRENCY}" in codes
    assert "15 %" in codes


def test_staff_read_every_refund_in_a_read_only_list_with_filters(salesperson, ceo, customer):
    lamp = ProductFactory(price=Decimal("20.00"), stock=10)
    order = _delivered(customer, salesperson, {lamp: 2})
    order_refund(
        order=order, lines=[{"product": lamp.pk, "quantity": 1}], reason="wrong_item", actor=salesperson
    )
    browser = _browser(salesperson)
    url = reverse("admin:orders_refund_changelist")

    page = browser.get(url)
    html = page.content.decode()
    by_reason = browser.get(url, {"reason__exact": "damaged"})
    by_staff = browser.get(url, {"by__id__exact": salesperson.pk})
    by_date = browser.get(url, {"created_at__gte": "2000-01-01 00:00:00+00:00"})

    assert page.status_code == 200
    assert reverse("admin:orders_order_change", args=[order.pk]) in html and order.number in html
    assert f"{Refund.objects.get().amount:,.2f} {order.currency}" in html
    assert "Wrong Item" in html or "Wrong item" in html  # the reason in words
    assert str(salesperson) in html
    assert all(f'data-filter-title="{title}"' in html for title in ("created at", "reason", "staff member"))
    assert by_reason.context["cl"].result_count == 0
    assert by_staff.context["cl"].result_count == 1
    assert by_date.context["cl"].result_count == 1


def test_refunds_are_neither_added_changed_nor_deleted_in_the_admin(salesperson, ceo, customer):
    lamp = ProductFactory(price=Decimal("20.00"), stock=10)
    order = _delivered(customer, salesperson, {lamp: 2})
    refund = order_refund(order=order, lines=[{"product": lamp.pk, "quantity": 1}], actor=salesperson)
    amount = refund.amount
    browser = _browser(ceo)

    added = browser.post(reverse("admin:orders_refund_add"), {"amount": "1.00"})
    deleted = browser.post(reverse("admin:orders_refund_delete", args=[refund.pk]), {"post": "yes"})
    changed = browser.post(reverse("admin:orders_refund_change", args=[refund.pk]), {"amount": "1.00"})

    assert (added.status_code, deleted.status_code) == (403, 403)
    assert changed.status_code == 403
    refund.refresh_from_db()
    assert Refund.objects.count() == 1 and refund.amount == amount


def test_a_duplicate_discount_code_reads_as_a_sentence_on_the_code_field(salesperson):
    DiscountCodeFactory(code="SUMMER")
    form = {"code": "summer", "description": "", "kind": "fixed", "value": "5.00", "min_subtotal": "0"}

    response = _browser(salesperson).post(reverse("admin:orders_discountcode_add"), form)

    html = response.content.decode()
    assert response.status_code == 200
    assert "A discount code with this code already exists." in html
    assert "orders_discount_code_unique_ci" not in html and "Constraint" not in html
    assert response.context["adminform"].form.errors.as_data().keys() == {"code"}
    assert DiscountCode.objects.count() == 1


def test_the_same_code_exactly_also_gets_one_sentence(salesperson):
    DiscountCodeFactory(code="SUMMER")
    form = {"code": "SUMMER", "description": "", "kind": "percent", "value": "150", "min_subtotal": "0"}

    response = _browser(salesperson).post(reverse("admin:orders_discountcode_add"), form)

    errors = response.context["adminform"].form.errors
    assert errors["code"] == ["A discount code with this code already exists."]
    assert errors["value"] == ["A percentage must be more than 0 and at most 100."]
    assert "Constraint" not in response.content.decode()


def test_a_salespersons_menu_lists_no_internal_tables(salesperson, ceo):
    salesperson_index = _browser(salesperson).get(reverse("admin:index")).content.decode()
    ceo_index = _browser(ceo).get(reverse("admin:index")).content.decode()

    for table in INTERNAL_TABLES:
        app, model = table.rsplit("_", 1)
        changelist = f"/admin/{app}/{model}/"
        assert changelist not in salesperson_index
        assert changelist in ceo_index
    assert "Daily sales" not in salesperson_index and "Sales records" not in salesperson_index
    assert "/admin/orders/refund/" in salesperson_index


@pytest.mark.parametrize("table", INTERNAL_TABLES)
def test_a_salesperson_cannot_reach_an_internal_table(salesperson, table):
    browser = _browser(salesperson)

    assert browser.get(reverse(f"admin:{table}_changelist")).status_code == 403


def test_a_refused_request_on_an_internal_table_changes_nothing(salesperson, customer):
    order = place_order(customer=customer, products={ProductFactory(stock=5): 1}, idempotency_key="retry-1")
    order_set_status(order=order, to_status=OrderStatus.PAID, actor=salesperson)
    key = IdempotencyKey.objects.get()
    record = SalesRecord.objects.get()
    browser = _browser(salesperson)

    refused = [
        browser.post(reverse("admin:orders_idempotencykey_delete", args=[key.pk]), {"post": "yes"}),
        browser.post(
            reverse("admin:orders_salesrecord_changelist"),
            {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"},
        ),
    ]

    assert [response.status_code for response in refused] == [403, 403]
    assert IdempotencyKey.objects.filter(pk=key.pk).exists()
    assert SalesRecord.objects.filter(pk=record.pk).exists()
