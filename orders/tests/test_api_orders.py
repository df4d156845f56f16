from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEntry
from catalog.selectors import active_channel
from catalog.tests.factories import CategoryFactory, ProductFactory
from conftest import client_for
from inventory.models import Stock
from orders.models import Order, OrderStatus, SalesRecord
from orders.services import order_set_status
from orders.tests.factories import ADDRESS, place_order

pytestmark = pytest.mark.django_db
D = Decimal
URL = "/api/v1/orders/"

ORDER_FIELDS = {
    "id",
    "number",
    "status",
    "customer",
    "channel",
    "items",
    "subtotal",
    "tax",
    "discount_code",
    "refunds",
    "refunded_total",
    "returns",
    "shipping",
    "discount",
    "total",
    "currency",
    "shipping_address",
    "billing_address",
    "created_at",
    "updated_at",
    "status_history",
}


@pytest.fixture(autouse=True)
def _pricing(settings):
    settings.SALES_TAX_RATE = D("0.20")
    settings.SHIPPING_FLAT_FEE = D("5.00")
    settings.FREE_SHIPPING_THRESHOLD = D("50.00")


@pytest.fixture
def product():
    return ProductFactory(price=D("12.50"), cost_price=D("7.77"), stock=20)


def _body(product, quantity=1, **extra):
    return {"items": [{"product": product.pk, "quantity": quantity}], "shipping_address": ADDRESS, **extra}


def test_a_customer_places_an_order_and_sees_the_contract_representation(customer, customer_client, product):
    response = customer_client.post(URL, _body(product, 2, note="Ring twice"), format="json")

    assert response.status_code == 201
    order = response.json()
    assert set(order) == ORDER_FIELDS
    assert order["number"].startswith("SO-")
    assert (order["status"], order["customer"], order["channel"], order["currency"]) == (
        "pending",
        customer.pk,
        "web",
        "EUR",
    )
    assert order["items"] == [
        {
            "product": product.pk,
            "sku": product.sku,
            "name": product.name,
            "quantity": 2,
            "unit_price": "12.50",
            "line_total": "25.00",
        }
    ]
    assert [order[f] for f in ("subtotal", "discount", "tax", "shipping", "total")] == [
        "25.00",
        "0.00",
        "5.00",
        "5.00",
        "35.00",
    ]
    assert order["shipping_address"] == ADDRESS
    assert order["billing_address"] is None
    assert [(h["status"], h["by"], h["note"]) for h in order["status_history"]] == [
        ("pending", customer.pk, "")
    ]
    assert "cost" not in response.content.decode()
    assert "7.77" not in response.content.decode()
    assert Stock.objects.get(product=product).quantity == 18


def test_products_can_be_ordered_by_sku_and_country_codes_are_normalised(customer_client, product):
    response = customer_client.post(
        URL,
        {
            "items": [{"sku": product.sku, "quantity": 1}],
            "shipping_address": {**ADDRESS, "country": "de"},
            "billing_address": {**ADDRESS, "line2": "Flat 2"},
            "channel": "phone",
        },
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["shipping_address"]["country"] == "DE"
    assert response.json()["billing_address"]["line2"] == "Flat 2"
    assert response.json()["channel"] == "phone"


def test_staff_place_an_order_for_a_customer_with_a_discount(customer, salesperson_client, product):
    response = salesperson_client.post(
        URL, _body(product, 4, customer=customer.pk, discount="10.00"), format="json"
    )

    assert response.status_code == 201
    assert response.json()["customer"] == customer.pk
    assert (response.json()["discount"], response.json()["total"]) == ("10.00", "53.00")  # 40 + 8 + 5


def test_staff_must_say_which_customer_and_it_must_be_a_customer(salesperson, salesperson_client, product):
    missing = salesperson_client.post(URL, _body(product), format="json")
    themself = salesperson_client.post(URL, _body(product, customer=salesperson.pk), format="json")

    assert (missing.status_code, themself.status_code) == (400, 400)
    assert "customer" in missing.json()
    assert "customer" in themself.json()
    assert not Order.objects.exists()


def test_a_customer_cannot_place_for_someone_else_or_give_a_discount(
    customer_client, other_customer, product
):
    for_other = customer_client.post(URL, _body(product, customer=other_customer.pk), format="json")
    discounted = customer_client.post(URL, _body(product, discount="1.00"), format="json")

    assert (for_other.status_code, discounted.status_code) == (400, 400)
    assert "discount" in discounted.json()
    assert not Order.objects.exists()
    assert Stock.objects.get(product=product).quantity == 20


def test_not_enough_stock_is_a_409_with_every_shortfall(customer_client):
    scarce = ProductFactory(stock=1)

    response = customer_client.post(URL, _body(scarce, 3), format="json")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Not enough stock.",
        "code": "insufficient_stock",
        "items": [{"product": scarce.pk, "sku": scarce.sku, "requested": 3, "available": 1}],
    }


def test_customers_see_only_their_own_orders(customer, other_customer, customer_client, product):
    mine = place_order(customer=customer, products={product: 1})
    theirs = place_order(customer=other_customer, products={product: 1})

    listed = customer_client.get(URL)
    detail = customer_client.get(f"{URL}{theirs.pk}/")
    filtered = customer_client.get(URL, {"customer": other_customer.pk})

    assert [o["id"] for o in listed.json()["results"]] == [mine.pk]
    assert detail.status_code == 404
    assert detail.json() == {"detail": "Not found.", "code": "not_found"}
    assert filtered.json()["results"] == []


def test_customers_never_see_staff_identities_in_the_history(customer, customer_client, salesperson, product):
    order = place_order(customer=customer, products={product: 1})
    order_set_status(order=order, to_status=OrderStatus.PAID, actor=salesperson)

    history = customer_client.get(f"{URL}{order.pk}/").json()["status_history"]
    staff_view = client_for(salesperson).get(f"{URL}{order.pk}/").json()["status_history"]

    assert [(h["status"], h["by"]) for h in history] == [("pending", customer.pk), ("paid", None)]
    assert [h["by"] for h in staff_view] == [customer.pk, salesperson.pk]


def test_staff_filter_and_order_the_list(customer, other_customer, salesperson, salesperson_client):
    cheap, dear = ProductFactory(price=D("5.00"), stock=10), ProductFactory(price=D("80.00"), stock=10)
    old = place_order(customer=customer, products={cheap: 1}, channel_code="retail")
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    paid = place_order(customer=other_customer, products={dear: 1})
    order_set_status(order=paid, to_status=OrderStatus.PAID, actor=salesperson)
    recent = place_order(customer=customer, products={cheap: 2})

    def ids(**params):
        response = salesperson_client.get(URL, params)
        assert response.status_code == 200
        return [o["id"] for o in response.json()["results"]]

    today = timezone.now().date()
    assert ids() == [recent.pk, paid.pk, old.pk]
    assert ids(status="paid") == [paid.pk]
    assert ids(channel="retail") == [old.pk]
    assert ids(customer=customer.pk) == [recent.pk, old.pk]
    assert ids(created_after=today.isoformat()) == [recent.pk, paid.pk]
    assert ids(created_before=(today - timedelta(days=1)).isoformat()) == [old.pk]
    assert ids(ordering="total") == [old.pk, recent.pk, paid.pk]
    assert ids(ordering="-total") == [paid.pk, recent.pk, old.pk]
    assert salesperson_client.get(URL, {"status": "lost"}).status_code == 400
    assert salesperson_client.get(URL, {"created_after": "yesterday"}).status_code == 400


@pytest.mark.parametrize("value", ["1.5", "1e1", "abc", "0", "9" * 30])
def test_the_customer_filter_takes_a_whole_id(customer, salesperson_client, product, value):
    # given an order of a customer whose id a fraction would round to
    place_order(customer=customer, products={product: 1})

    # when staff filter by something that is not a whole id, then it is a 400, not a rounded match
    response = salesperson_client.get(URL, {"customer": value})

    assert response.status_code == 400
    assert "customer" in response.json()


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_and_detail_take_a_constant_number_of_queries(
    customer, salesperson, salesperson_client, django_assert_max_num_queries
):
    products = [ProductFactory(stock=50) for _ in range(3)]
    first = place_order(customer=customer, products=dict.fromkeys(products, 1))
    salesperson_client.get("/api/v1/users/me/")  # the user comes from the auth cache from now on
    few = _count_queries(salesperson_client, URL)
    for _ in range(4):
        order = place_order(customer=customer, products=dict.fromkeys(products, 2))
        order_set_status(order=order, to_status=OrderStatus.PAID, actor=salesperson)

    many = _count_queries(salesperson_client, URL)

    assert many == few
    with django_assert_max_num_queries(7):  # the detail's six and the page count
        salesperson_client.get(URL)
    with django_assert_max_num_queries(6):  # user, 2 x permissions, order, items, history
        salesperson_client.get(f"{URL}{first.pk}/")


@pytest.mark.parametrize("lines", [1, 10])
def test_placing_an_order_costs_the_same_few_queries_however_many_lines(
    customer, customer_client, lines, django_assert_num_queries
):
    """The hot write: the customer locked and their pending orders counted, products, order
    (+ its number), lines, first status, audit, then the stock: lock, update, movements. The
    channels come from this process's copy; nothing is read back for the response."""
    products = [ProductFactory(stock=10) for _ in range(lines)]
    body = {
        "items": [{"product": product.pk, "quantity": 1} for product in products],
        "shipping_address": ADDRESS,
    }
    customer_client.get("/api/v1/users/me/")  # the user comes from the auth cache from now on
    customer_client.get("/api/v1/categories/")  # and the category tree from this process's copy
    active_channel("web")  # and the channels

    # + the savepoint pair that the test's own transaction turns the service's atomic into
    with django_assert_num_queries(11 + 2):
        response = customer_client.post(URL, body)

    assert response.status_code == 201
    placed = response.json()
    assert placed == customer_client.get(f"{URL}{placed['id']}/").json()
    assert [item["quantity"] for item in placed["items"]] == [1] * lines
    assert list(Stock.objects.filter(product__in=products).values_list("quantity", flat=True)) == [9] * lines


@pytest.mark.parametrize("lines", [1, 10])
def test_paying_an_order_costs_the_same_few_queries_however_many_lines(
    customer, salesperson, salesperson_client, lines, django_assert_num_queries
):
    """The other hot write: the order locked with its channel and code, its status and history,
    its lines, the ledger (a check, the rows, one statement per rollup), audit; the answer shows
    what the service holds and reads only the status history."""
    products = [ProductFactory(stock=10, category=CategoryFactory()) for _ in range(lines)]
    earlier = place_order(customer=customer, products=dict.fromkeys(products, 1))
    order_set_status(order=earlier, to_status=OrderStatus.PAID, actor=salesperson)
    order = place_order(customer=customer, products=dict.fromkeys(products, 2))
    salesperson_client.get("/api/v1/users/me/")  # the user comes from the auth cache from now on

    # + the savepoint pair that the test's own transaction turns the service's atomic into
    with django_assert_num_queries(14 + 2):
        response = salesperson_client.post(f"{URL}{order.pk}/status/", {"status": "paid"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "paid"
    assert SalesRecord.objects.filter(order=order).count() == lines


def test_staff_move_an_order_along_the_status_machine(customer, salesperson_client, product):
    order = place_order(customer=customer, products={product: 1})

    paid = salesperson_client.post(
        f"{URL}{order.pk}/status/", {"status": "paid", "note": "wire"}, format="json"
    )
    again = salesperson_client.post(f"{URL}{order.pk}/status/", {"status": "paid"}, format="json")
    unknown = salesperson_client.post(f"{URL}{order.pk}/status/", {"status": "lost"}, format="json")
    missing = salesperson_client.post(f"{URL}999999/status/", {"status": "paid"}, format="json")

    assert paid.status_code == 200
    assert paid.json()["status"] == "paid"
    assert paid.json()["status_history"][-1]["note"] == "wire"
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"
    assert unknown.status_code == 400
    assert "status" in unknown.json()
    assert missing.status_code == 404


def test_owner_cancels_a_pending_order_and_the_stock_comes_back(
    customer, customer_client, salesperson, product
):
    pending = place_order(customer=customer, products={product: 3})
    paid = place_order(customer=customer, products={product: 1})
    order_set_status(order=paid, to_status=OrderStatus.PAID, actor=salesperson)

    cancelled = customer_client.post(f"{URL}{pending.pk}/cancel/", {}, format="json")
    too_late = customer_client.post(f"{URL}{paid.pk}/cancel/", {}, format="json")

    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert too_late.status_code == 409
    assert Stock.objects.get(product=product).quantity == 19
    paid.refresh_from_db()
    assert paid.status == OrderStatus.PAID


# Role x endpoint. The order belongs to `customer`; `other` is another customer.
MATRIX = {
    "list": {"anonymous": 401, "customer": 200, "other": 200, "salesperson": 200, "ceo": 200},
    "place": {"anonymous": 401, "customer": 201, "other": 400, "salesperson": 201, "ceo": 201},
    "detail": {"anonymous": 401, "customer": 200, "other": 404, "salesperson": 200, "ceo": 200},
    "status": {"anonymous": 401, "customer": 403, "other": 403, "salesperson": 200, "ceo": 200},
    "cancel": {"anonymous": 401, "customer": 200, "other": 404, "salesperson": 200, "ceo": 200},
}


@pytest.mark.parametrize(
    ("endpoint", "role", "expected"),
    [(endpoint, role, code) for endpoint, codes in MATRIX.items() for role, code in codes.items()],
)
def test_role_by_endpoint(endpoint, role, expected, customer, other_customer, salesperson, ceo, product):
    users = {
        "anonymous": None,
        "customer": customer,
        "other": other_customer,
        "salesperson": salesperson,
        "ceo": ceo,
    }
    client = client_for(users[role])
    order = place_order(customer=customer, products={product: 1})
    before = (Order.objects.count(), Stock.objects.get(product=product).quantity, AuditEntry.objects.count())

    if endpoint == "list":
        response = client.get(URL)
    elif endpoint == "place":
        response = client.post(URL, _body(product, customer=customer.pk), format="json")
    elif endpoint == "detail":
        response = client.get(f"{URL}{order.pk}/")
    elif endpoint == "status":
        response = client.post(f"{URL}{order.pk}/status/", {"status": "paid"}, format="json")
    else:
        response = client.post(f"{URL}{order.pk}/cancel/", {}, format="json")

    assert response.status_code == expected, response.content
    if expected in (401, 403, 404):
        assert set(response.json()) == {"detail", "code"}
    if expected >= 400:
        order.refresh_from_db()
        assert order.status == OrderStatus.PENDING
        assert before == (
            Order.objects.count(),
            Stock.objects.get(product=product).quantity,
            AuditEntry.objects.count(),
        )


def test_a_customer_naming_another_or_a_missing_customer_gets_one_answer(
    customer_client, other_customer, product
):
    body = {"items": [{"product": product.pk, "quantity": 1}], "shipping_address": ADDRESS}

    someone = customer_client.post(URL, {**body, "customer": other_customer.pk})
    nobody = customer_client.post(URL, {**body, "customer": 10**9})

    assert someone.status_code == nobody.status_code == 400
    assert someone.json() == nobody.json() == {"customer": ["You can only place orders for yourself."]}
    assert Order.objects.count() == 0
