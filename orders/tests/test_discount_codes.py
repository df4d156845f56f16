"""Discount codes: what a code takes off which lines, every reason it is refused, how its uses
are counted, and who may manage codes through the API."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from catalog.tests.factories import CategoryFactory, ProductFactory, channel
from inventory.models import Stock
from orders import pricing
from orders.models import DiscountCode, Order, OrderStatus, SalesRecord
from orders.services import order_cancel, order_set_status
from orders.tests.factories import ADDRESS, DiscountCodeFactory, place_order

pytestmark = pytest.mark.django_db
D = Decimal
URL = "/api/v1/discount-codes/"


@pytest.fixture(autouse=True)
def _pricing(settings):
    settings.SALES_TAX_RATE = D("0.20")
    settings.SHIPPING_FLAT_FEE = D("5.00")
    settings.FREE_SHIPPING_THRESHOLD = D("1000.00")


@pytest.mark.parametrize(
    ("kind", "value", "eligible_total", "expected"),
    [
        ("percent", D("10"), D("33.33"), D("3.33")),
        ("percent", D("12.5"), D("0.99"), D("0.12")),  # 0.12375 half up
        ("percent", D("15"), D("0.10"), D("0.02")),  # 0.015 half up
        ("percent", D("100"), D("42.42"), D("42.42")),
        ("fixed", D("5.00"), D("19.99"), D("5.00")),
        ("fixed", D("25.00"), D("19.99"), D("19.99")),  # capped at the eligible total
    ],
)
def test_code_discount_rounds_half_up_and_is_capped_at_the_eligible_total(
    kind, value, eligible_total, expected
):
    assert pricing.code_discount(kind=kind, value=value, eligible_total=eligible_total) == expected


def test_a_percent_code_applies_to_eligible_lines_including_sub_categories(customer):
    tools = CategoryFactory()
    saws = CategoryFactory(parent=tools)
    saw = ProductFactory(price=D("30.00"), category=saws, stock=5)
    hammer = ProductFactory(price=D("9.99"), category=tools, stock=5)
    lamp = ProductFactory(price=D("50.00"), stock=5)
    code = DiscountCodeFactory(code="Tools20", value=D("20"), categories=[tools])

    order = place_order(customer=customer, products={saw: 1, hammer: 3, lamp: 1}, discount_code="tools20")

    # eligible: 30.00 + 29.97 = 59.97; 20 % = 11.994 -> 11.99
    assert (order.discount, order.discount_code) == (D("11.99"), code)
    assert order.subtotal == D("109.97")
    assert order.tax == pricing.to_cents((D("109.97") - D("11.99")) * D("0.20"))
    shares = dict(order.items.values_list("product_id", "discount"))
    assert shares[lamp.pk] == D("0.00")
    assert shares[saw.pk] + shares[hammer.pk] == D("11.99")


def test_a_fixed_code_is_capped_at_the_eligible_lines_and_the_ledger_is_net_of_it(customer, ceo):
    books = CategoryFactory()
    book = ProductFactory(price=D("7.00"), category=books, stock=5)
    pen = ProductFactory(price=D("3.00"), stock=5)
    DiscountCodeFactory(code="BOOKS", kind="fixed", value=D("20.00"), categories=[books])

    order = place_order(customer=customer, products={book: 2, pen: 1}, discount_code="BOOKS")
    order_set_status(order=order, to_status=OrderStatus.PAID, actor=ceo)

    assert order.discount == D("14.00")
    revenue = dict(SalesRecord.objects.filter(order=order).values_list("product_id", "revenue"))
    assert revenue == {book.pk: D("0.00"), pen.pk: D("3.00")}


def _refusal(customer, products, code_text, **kwargs) -> str:
    with pytest.raises(ValidationError) as refused:
        place_order(customer=customer, products=products, discount_code=code_text, **kwargs)
    return refused.value.message_dict["discount_code"][0]


@pytest.mark.parametrize(
    ("code_fields", "message"),
    [
        ({"is_active": False}, "not active"),
        ({"starts_at": timedelta(days=1)}, "valid from"),
        ({"ends_at": timedelta(days=-1)}, "expired"),
        ({"min_subtotal": D("100.00")}, "at least 100.00"),
    ],
)
def test_each_refusal_of_a_code_says_why_and_places_nothing(customer, code_fields, message):
    product = ProductFactory(price=D("20.00"), stock=5)
    now = timezone.now()
    fields = {k: now + v if isinstance(v, timedelta) else v for k, v in code_fields.items()}
    DiscountCodeFactory(code="NOPE", **fields)

    assert message in _refusal(customer, {product: 1}, "NOPE")
    assert not Order.objects.exists()
    assert Stock.objects.get(product=product).quantity == 5


def test_unknown_wrong_channel_no_eligible_line_and_with_a_staff_discount_are_refused(customer, salesperson):
    product = ProductFactory(price=D("20.00"), stock=5)
    DiscountCodeFactory(code="SHOPONLY", channels=[channel("retail")])
    DiscountCodeFactory(code="OTHERCAT", categories=[CategoryFactory()])
    DiscountCodeFactory(code="ANY")

    assert "Unknown" in _refusal(customer, {product: 1}, "NOSUCH")
    assert "web channel" in _refusal(customer, {product: 1}, "SHOPONLY")
    assert "none of the items" in _refusal(customer, {product: 1}, "OTHERCAT")
    assert "together" in _refusal(customer, {product: 1}, "ANY", actor=salesperson, discount=D("1.00"))
    assert not Order.objects.exists()


def test_uses_are_limited_overall_and_per_customer_and_a_cancellation_gives_one_back(
    customer, other_customer
):
    product = ProductFactory(price=D("20.00"), stock=20)
    DiscountCodeFactory(code="ONCE", max_uses_per_customer=1)
    DiscountCodeFactory(code="TWICE", max_uses=2)

    first = place_order(customer=customer, products={product: 1}, discount_code="once")
    assert "as often as it allows" in _refusal(customer, {product: 1}, "ONCE")
    place_order(customer=other_customer, products={product: 1}, discount_code="once")  # another customer
    order_cancel(order=first, actor=customer)
    place_order(customer=customer, products={product: 1}, discount_code="once")  # the use came back

    place_order(customer=customer, products={product: 1}, discount_code="TWICE")
    place_order(customer=other_customer, products={product: 1}, discount_code="TWICE")
    assert "used up" in _refusal(customer, {product: 1}, "TWICE")


def test_an_idempotent_retry_does_not_count_a_second_use(customer_client):
    product = ProductFactory(price=D("20.00"), stock=5)
    DiscountCodeFactory(code="RETRY", max_uses=1)
    body = {
        "items": [{"product": product.pk, "quantity": 1}],
        "shipping_address": ADDRESS,
        "discount_code": "RETRY",
    }

    first = customer_client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = customer_client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["discount_code"] == "RETRY" and again.json()["id"] == first.json()["id"]
    assert Order.objects.filter(discount_code__code="RETRY").count() == 1


def test_an_order_with_a_code_over_the_api_shows_it(customer_client):
    product = ProductFactory(price=D("20.00"), stock=5)
    DiscountCodeFactory(code="WELCOME", value=D("50"))
    body = {"items": [{"product": product.pk, "quantity": 1}], "shipping_address": ADDRESS}

    refused = customer_client.post("/api/v1/orders/", {**body, "discount_code": "nope"}, format="json")
    placed = customer_client.post("/api/v1/orders/", {**body, "discount_code": "welcome"}, format="json")

    assert refused.status_code == 400
    assert refused.json()["discount_code"] == ["Unknown discount code."]
    assert placed.status_code == 201
    assert (placed.json()["discount"], placed.json()["discount_code"]) == ("10.00", "WELCOME")


# -------------------------------------------------------------------------------- the API


@pytest.mark.parametrize(
    ("role", "expected"), [("anonymous", 401), ("customer", 403), ("salesperson", 200), ("ceo", 200)]
)
def test_only_staff_read_discount_codes(role_clients, role, expected):
    DiscountCodeFactory()

    assert role_clients[role].get(URL).status_code == expected


def test_a_customer_cannot_create_or_delete_a_code(customer_client):
    code = DiscountCodeFactory(code="KEEP")

    created = customer_client.post(URL, {"code": "MINE", "kind": "percent", "value": "50"}, format="json")
    deleted = customer_client.delete(f"{URL}KEEP/")

    assert (created.status_code, deleted.status_code) == (403, 403)
    assert list(DiscountCode.objects.values_list("pk", flat=True)) == [code.pk]


def test_staff_create_read_change_and_delete_a_code_with_audit(salesperson_client, salesperson):
    tools = CategoryFactory(slug="tools")
    body = {
        "code": "Spring10",
        "description": "Spring sale",
        "kind": "percent",
        "value": "10",
        "channels": ["web"],
        "categories": ["tools"],
        "max_uses": 100,
    }

    created = salesperson_client.post(URL, body, format="json")
    assert created.status_code == 201, created.json()
    assert {k: created.json()[k] for k in ("code", "kind", "value", "channels", "categories", "uses")} == {
        "code": "Spring10",
        "kind": "percent",
        "value": "10.00",
        "channels": ["web"],
        "categories": ["tools"],
        "uses": 0,
    }
    assert salesperson_client.post(URL, {**body, "code": "SPRING10"}, format="json").status_code == 400

    changed = salesperson_client.patch(f"{URL}spring10/", {"is_active": False}, format="json")
    assert (changed.status_code, changed.json()["is_active"]) == (200, False)
    assert salesperson_client.get(f"{URL}?is_active=false").json()["results"][0]["code"] == "Spring10"

    assert salesperson_client.delete(f"{URL}SPRING10/").status_code == 204
    actions = list(
        AuditEntry.objects.filter(entity_type="orders.discountcode").values_list("action", "actor")
    )
    assert sorted(actions) == sorted(
        [(action, salesperson.pk) for action in (AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE)]
    )
    assert tools.discount_codes.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "BAD", "kind": "percent", "value": "120"}, "value"),
        ({"code": "BAD", "kind": "fixed", "value": "0"}, "value"),
        ({"code": "B A D", "kind": "fixed", "value": "5"}, "code"),
        ({"code": "BAD", "kind": "gift", "value": "5"}, "kind"),
        ({"code": "BAD", "kind": "fixed", "value": "5", "categories": ["nope"]}, "categories"),
        (
            {
                "code": "BAD",
                "kind": "fixed",
                "value": "5",
                "starts_at": "2026-02-01T00:00:00Z",
                "ends_at": "2026-01-01T00:00:00Z",
            },
            "ends_at",
        ),
    ],
)
def test_invalid_codes_are_refused_with_field_messages(ceo_client, body, field):
    response = ceo_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not DiscountCode.objects.exists()


def test_a_used_code_is_not_deleted_and_uses_are_listed(ceo_client, customer):
    product = ProductFactory(price=D("20.00"), stock=5)
    DiscountCodeFactory(code="USED")
    cancelled = place_order(customer=customer, products={product: 1}, discount_code="USED")
    order_cancel(order=cancelled, actor=customer)
    place_order(customer=customer, products={product: 1}, discount_code="USED")

    deleted = ceo_client.delete(f"{URL}USED/")

    assert (deleted.status_code, deleted.json()["code"]) == (409, "discount_code_used")
    assert ceo_client.get(f"{URL}USED/").json()["uses"] == 1


def test_the_code_list_costs_a_fixed_number_of_queries(ceo_client, django_assert_max_num_queries):
    for _ in range(5):
        DiscountCodeFactory(categories=[CategoryFactory()], channels=[channel("web")])

    # auth and permissions (a cold cache), count, page, channels, categories
    with django_assert_max_num_queries(7):
        response = ceo_client.get(URL)

    assert len(response.json()["results"]) == 5


@pytest.mark.parametrize("bad", [r"0x\u0000", r"\ud800"], ids=["nul", "lone-surrogate"])
def test_unusable_channel_or_category_text_is_400_not_500(ceo_client, bad):
    for field in ("channels", "categories"):
        body = f'{{"code": "X1", "kind": "percent", "value": "5", "{field}": ["{bad}"]}}'
        response = ceo_client.post(URL, data=body, content_type="application/json")

        assert response.status_code == 400
        assert field in response.json()
    assert not DiscountCode.objects.exists()
