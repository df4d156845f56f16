from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from catalog.tests.factories import ProductFactory
from inventory.models import Stock
from orders.models import DiscountCode, Order, OrderStatus, SalesRecord
from orders.services import order_set_status
from orders.tests.factories import place_order

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:orders_order_changelist")
ADD = reverse("admin:orders_order_add")


@pytest.fixture
def staff_browser(client, salesperson):
    client.force_login(salesperson)
    return client


@pytest.fixture
def ceo_browser(client, ceo):
    client.force_login(ceo)
    return client


@pytest.fixture
def product():
    return ProductFactory(stock=10)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _act(browser, action, *orders):
    return browser.post(
        CHANGELIST, {"action": action, "_selected_action": [order.pk for order in orders]}, follow=True
    )


def test_changelist_searches_by_number_and_email_and_filters_by_status(staff_browser, customer, product):
    order = place_order(customer=customer, products={product: 1})

    by_number = staff_browser.get(CHANGELIST, {"q": order.number})
    by_email = staff_browser.get(CHANGELIST, {"q": customer.email})
    paid_only = staff_browser.get(CHANGELIST, {"status__exact": "paid"})

    assert order.number in by_number.content.decode()
    assert order.number in by_email.content.decode()
    assert order.number not in paid_only.content.decode()


def test_change_page_shows_items_and_history_read_only(staff_browser, customer, product):
    order = place_order(customer=customer, products={product: 2})

    response = staff_browser.get(reverse("admin:orders_order_change", args=[order.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert product.sku in page
    assert "Status history" in page or "status history" in page
    assert 'name="subtotal"' not in page  # money is read-only
    assert 'name="_save"' not in page


def test_lifecycle_actions_go_through_the_services(staff_browser, salesperson, customer, product):
    order = place_order(customer=customer, products={product: 3})

    _act(staff_browser, "mark_paid", order)
    order.refresh_from_db()

    assert order.status == OrderStatus.PAID
    assert SalesRecord.objects.filter(order=order).count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.STATUS_CHANGE, actor=salesperson).count() == 1

    _act(staff_browser, "cancel_orders", order)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert Stock.objects.get(product=product).quantity == 10


def test_a_refused_transition_is_reported_and_changes_nothing(staff_browser, customer, product):
    pending = place_order(customer=customer, products={product: 1})
    paid = place_order(customer=customer, products={product: 1})
    _act(staff_browser, "mark_paid", paid)

    response = _act(staff_browser, "mark_shipped", pending, paid)

    pending.refresh_from_db()
    paid.refresh_from_db()
    assert (pending.status, paid.status) == (OrderStatus.PENDING, OrderStatus.SHIPPED)
    messages = _messages(response)
    assert any(pending.number in message and "cannot become shipped" in message for message in messages)
    assert any("1 order(s) marked shipped" in message for message in messages)


def test_refund_and_deliver_actions(staff_browser, salesperson, customer, product):
    order = place_order(customer=customer, products={product: 2})
    for status in (OrderStatus.PAID, OrderStatus.SHIPPED):
        order_set_status(order=order, to_status=status, actor=salesperson)

    _act(staff_browser, "mark_delivered", order)
    _act(staff_browser, "mark_refunded", order)

    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert sorted(SalesRecord.objects.filter(order=order).values_list("quantity", flat=True)) == [-2, 2]
    assert Stock.objects.get(product=product).quantity == 10


def test_csv_export(staff_browser, customer, product):
    order = place_order(customer=customer, products={product: 1})

    response = staff_browser.post(CHANGELIST, {"action": "export_csv", "_selected_action": [order.pk]})

    assert response["Content-Type"] == "text/csv"
    header, row = response.content.decode().splitlines()
    assert header.startswith("number,created_at,customer,channel,status")
    assert row.startswith(f"{order.number},")
    assert customer.email in row
    assert str(order.total) in row


def _place_form(customer, lines, **extra):
    return {
        "customer": customer.pk,
        "channel": "phone",
        "lines": lines,
        "name": "Ada Lovelace",
        "line1": "12 Analytical Row",
        "city": "London",
        "postal_code": "NW1 2AB",
        "country": "GB",
        **extra,
    }


def test_placing_from_the_admin_uses_order_place(staff_browser, salesperson, customer, product):
    other = ProductFactory(stock=5)

    response = staff_browser.post(
        ADD, _place_form(customer, f"{product.sku} 2\n{other.sku} 1", discount="1.00")
    )

    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:orders_order_change", args=[order.pk])
    assert (order.customer, order.placed_by, order.channel.code, order.discount) == (
        customer,
        salesperson,
        "phone",
        1,
    )
    assert Stock.objects.get(product=product).quantity == 8
    assert order.status_history.count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, entity_id=str(order.pk)).exists()


@pytest.mark.parametrize(
    ("lines", "error"),
    [("NOPE 1", "Unknown product"), ("{sku} 99", "Not enough stock"), ("{sku} two", "whole quantity")],
)
def test_admin_placement_errors_are_shown_and_nothing_is_placed(
    staff_browser, customer, product, lines, error
):
    response = staff_browser.post(ADD, _place_form(customer, lines.format(sku=product.sku)))

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Order.objects.exists()
    assert Stock.objects.get(product=product).quantity == 10


def test_sales_ledger_is_read_only(ceo_browser, salesperson, customer, product):
    order = place_order(customer=customer, products={product: 1})
    order_set_status(order=order, to_status=OrderStatus.PAID, actor=salesperson)
    record = SalesRecord.objects.get()

    assert ceo_browser.get(reverse("admin:orders_salesrecord_changelist")).status_code == 200
    assert ceo_browser.get(reverse("admin:orders_salesrecord_add")).status_code == 403
    assert ceo_browser.get(reverse("admin:orders_salesrecord_delete", args=[record.pk])).status_code == 403
    page = ceo_browser.get(reverse("admin:orders_salesrecord_change", args=[record.pk])).content.decode()
    assert 'name="_save"' not in page


@pytest.mark.parametrize(
    "model", ["dailysales", "productsales", "dailyorders", "dailycustomers", "customersales"]
)
def test_sales_rollups_are_listed_read_only_to_the_ceo(ceo_browser, salesperson, customer, product, model):
    order = place_order(customer=customer, products={product: 2})
    order_set_status(order=order, to_status=OrderStatus.PAID, actor=salesperson)

    listing = ceo_browser.get(reverse(f"admin:orders_{model}_changelist"))

    assert listing.status_code == 200
    assert listing.context["cl"].result_count >= 1
    assert ceo_browser.get(reverse(f"admin:orders_{model}_add")).status_code == 403


def test_idempotency_keys_are_listed_read_only_to_the_ceo(ceo_browser, customer, product):
    place_order(customer=customer, products={product: 1}, idempotency_key="retry-1")

    listing = ceo_browser.get(reverse("admin:orders_idempotencykey_changelist"))

    assert listing.status_code == 200
    assert "retry-1" in listing.content.decode()
    assert ceo_browser.get(reverse("admin:orders_idempotencykey_add")).status_code == 403


def test_customers_do_not_get_into_the_admin(client, customer, product):
    client.force_login(customer)

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_order_changelist_queries_do_not_grow_with_rows(
    staff_browser, customer, other_customer, django_assert_max_num_queries, settings
):
    settings.ORDER_MAX_PENDING_PER_CUSTOMER = 0  # many unpaid orders of one customer
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # given a few orders, then many more from several customers
    product = ProductFactory(stock=20)
    place_order(customer=customer, products={product: 1})
    with CaptureQueriesContext(connection) as few:
        staff_browser.get(CHANGELIST)
    for buyer in [customer, other_customer] * 5:
        place_order(customer=buyer, products={product: 1})

    # when the change list is shown again, then it costs no more queries
    with django_assert_max_num_queries(len(few)):
        response = staff_browser.get(CHANGELIST)
    assert response.context["cl"].result_count == 11


def test_order_change_page_queries_do_not_grow_with_items_and_history(
    staff_browser, salesperson, ceo, customer, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # given a one-line order, and an eight-line one that staff moved along the lifecycle
    small = place_order(customer=customer, products={ProductFactory(stock=5): 1})
    with CaptureQueriesContext(connection) as few:
        staff_browser.get(reverse("admin:orders_order_change", args=[small.pk]))
    large = place_order(customer=customer, products={ProductFactory(stock=5): 1 for _ in range(8)})
    for to_status, actor in [(OrderStatus.PAID, salesperson), (OrderStatus.SHIPPED, ceo)]:
        order_set_status(order=large, to_status=to_status, actor=actor)

    # when its change page is shown, then its items and history cost no query each
    with django_assert_max_num_queries(len(few)):
        response = staff_browser.get(reverse("admin:orders_order_change", args=[large.pk]))
    assert response.status_code == 200


def test_staff_add_a_discount_code_in_the_admin_through_the_service(client, salesperson):
    client.force_login(salesperson)
    form = {
        "code": "ADMIN5",
        "description": "",
        "kind": "fixed",
        "value": "5.00",
        "min_subtotal": "0",
        "is_active": "on",
    }

    refused = client.post("/admin/orders/discountcode/add/", {**form, "value": "0"})
    added = client.post("/admin/orders/discountcode/add/", form)

    assert refused.status_code == 200  # the form again, with the error
    assert added.status_code == 302
    code = DiscountCode.objects.get()
    assert (code.code, code.value, code.created_by) == ("ADMIN5", Decimal("5.00"), salesperson)
    assert AuditEntry.objects.filter(entity_type="orders.discountcode", action="create").count() == 1
    assert client.get("/admin/orders/discountcode/?validity=current").status_code == 200
    assert client.post("/admin/orders/discountcode/add/", {**form, "code": "admin5"}).status_code == 200
    assert DiscountCode.objects.count() == 1


def test_staff_refund_some_units_from_the_order_page_through_the_service(
    staff_browser, salesperson, customer, product
):
    from orders.models import Refund

    order = place_order(customer=customer, products={product: 3})
    for status in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        order_set_status(order=order, to_status=status, actor=salesperson)
    item = order.items.get()
    url = reverse("admin:orders_order_refund", args=[order.pk])
    assert url in staff_browser.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()

    too_many = staff_browser.post(url, {f"item_{item.pk}": 4, "reason": "damaged", "restock": "on"})
    done = staff_browser.post(url, {f"item_{item.pk}": 2, "reason": "damaged", "restock": "on"})

    assert too_many.status_code == 200  # the form again, with the error
    assert done.status_code == 302
    refund = Refund.objects.get()
    assert (refund.by, refund.restocked, list(refund.lines.values_list("quantity", flat=True))) == (
        salesperson,
        True,
        [2],
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_REFUNDED
    assert Stock.objects.get(product=product).quantity == 9
    page = staff_browser.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert f"2 x {product.sku}" in page


def test_customers_cannot_open_the_refund_page(client, customer, product):
    order = place_order(customer=customer, products={product: 1})
    client.force_login(customer)

    response = client.get(reverse("admin:orders_order_refund", args=[order.pk]))

    assert response.status_code in (302, 403)


def test_staff_change_a_pending_orders_lines_in_the_admin_through_the_service(
    staff_browser, customer, product
):
    order = place_order(customer=customer, products={product: 1})
    url = reverse("admin:orders_order_edit", args=[order.pk])
    assert url in staff_browser.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()

    too_many = staff_browser.post(url, {"lines": f"{product.sku} 50", "discount_code": "", "note": ""})
    done = staff_browser.post(url, {"lines": f"{product.sku} 4", "discount_code": "", "note": "by phone"})

    assert too_many.status_code == 200
    assert done.status_code == 302
    order.refresh_from_db()
    assert (order.items.get().quantity, order.note) == (4, "by phone")
    assert Stock.objects.get(product=product).quantity == 6


def test_the_discount_code_changelist_has_no_bulk_delete_around_the_service(staff_browser):
    page = staff_browser.get("/admin/orders/discountcode/").content.decode()

    assert "delete_selected" not in page
