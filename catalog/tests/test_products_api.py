from decimal import Decimal

import pytest

from accounts.tests.factories import CustomerFactory
from audit.models import AuditEntry
from catalog.models import Product, ProductStatus
from catalog.tests.factories import CategoryFactory, ProductFactory
from inventory.models import Stock, StockMovement
from orders.models import Review
from orders.tests.factories import OrderItemFactory

pytestmark = pytest.mark.django_db

COST_FIELDS = {"cost_price", "margin", "created_by"}
PUBLIC_FIELDS = {
    "id",
    "sku",
    "name",
    "description",
    "price",
    "status",
    "category",
    "image_url",
    "stock",
    "rating",
    "created_at",
    "updated_at",
}


def _payload(**overrides):
    return {
        "sku": "NEW-001",
        "name": "Desk lamp",
        "description": "A lamp",
        "price": "24.50",
        "cost_price": "10.00",
        "status": "active",
        "category": CategoryFactory(slug="lamps").slug,
        "image_url": "https://example.com/lamp.png",
        **overrides,
    }


def _skus(response) -> list[str]:
    return [row["sku"] for row in response.json()["results"]]


# What customers and staff see --------------------------------------------------------------------


def test_customer_sees_no_cost_fields_in_list_detail_or_by_sku(customer_client):
    product = ProductFactory(sku="LAMP-1", stock=4)

    listed = customer_client.get("/api/v1/products/").json()["results"][0]
    detail = customer_client.get(f"/api/v1/products/{product.pk}/").json()
    by_sku = customer_client.get("/api/v1/products/sku/LAMP-1/").json()

    for representation in (listed, detail, by_sku):
        assert set(representation) == PUBLIC_FIELDS
        assert not COST_FIELDS & set(representation)


def test_staff_see_cost_price_margin_and_creator(salesperson_client):
    product = ProductFactory(price=Decimal("20.00"), cost_price=Decimal("15.00"), stock=3)

    body = salesperson_client.get(f"/api/v1/products/{product.pk}/").json()

    assert set(body) == PUBLIC_FIELDS | COST_FIELDS
    assert body["price"] == "20.00"
    assert body["cost_price"] == "15.00"
    assert body["margin"] == "0.2500"
    assert body["created_by"] == product.created_by_id
    assert body["stock"] == 3
    assert body["category"] == product.category.slug


def test_rating_is_the_average_of_reviews_and_null_without_any(customer_client):
    reviewed = ProductFactory(sku="REVIEWED")
    ProductFactory(sku="UNREVIEWED")
    Review.objects.create(product=reviewed, customer=CustomerFactory(), rating=5)
    Review.objects.create(product=reviewed, customer=CustomerFactory(), rating=4)
    Review.objects.create(product=reviewed, customer=CustomerFactory(), rating=4)

    rows = {row["sku"]: row for row in customer_client.get("/api/v1/products/").json()["results"]}

    assert rows["REVIEWED"]["rating"] == 4.33
    assert rows["UNREVIEWED"]["rating"] is None


@pytest.mark.parametrize("status", [ProductStatus.INACTIVE, ProductStatus.ARCHIVED])
def test_non_active_product_is_404_for_customers_but_visible_to_staff(customer_client, ceo_client, status):
    product = ProductFactory(sku="GONE", status=status)

    assert customer_client.get(f"/api/v1/products/{product.pk}/").status_code == 404
    assert customer_client.get("/api/v1/products/sku/GONE/").status_code == 404
    assert _skus(customer_client.get("/api/v1/products/")) == []
    assert ceo_client.get(f"/api/v1/products/{product.pk}/").json()["status"] == status
    assert ceo_client.get("/api/v1/products/sku/GONE/").status_code == 200


def test_products_of_an_inactive_category_or_below_it_are_hidden_from_customers(
    customer_client, salesperson_client
):
    closed = CategoryFactory(slug="closed", is_active=False)
    ProductFactory(sku="IN-CLOSED", category=closed)
    ProductFactory(sku="BELOW-CLOSED", category=CategoryFactory(slug="below", parent=closed))
    ProductFactory(sku="OPEN")

    assert _skus(customer_client.get("/api/v1/products/")) == ["OPEN"]
    assert len(_skus(salesperson_client.get("/api/v1/products/"))) == 3


def test_customer_cannot_filter_by_status_to_see_hidden_products(customer_client):
    ProductFactory(sku="ARCHIVED", status=ProductStatus.ARCHIVED)

    response = customer_client.get("/api/v1/products/?status=archived")

    assert response.status_code == 200
    assert _skus(response) == []


# Filters, ordering, pagination -------------------------------------------------------------------


def test_category_filter_includes_children_and_grandchildren(customer_client):
    root = CategoryFactory(slug="home")
    child = CategoryFactory(slug="kitchen", parent=root)
    grandchild = CategoryFactory(slug="knives", parent=child)
    ProductFactory(sku="A-ROOT", category=root)
    ProductFactory(sku="B-CHILD", category=child)
    ProductFactory(sku="C-GRANDCHILD", category=grandchild)
    ProductFactory(sku="D-ELSEWHERE")

    home = customer_client.get("/api/v1/products/?category=home&ordering=name")
    kitchen = customer_client.get("/api/v1/products/?category=kitchen")

    assert sorted(_skus(home)) == ["A-ROOT", "B-CHILD", "C-GRANDCHILD"]
    assert sorted(_skus(kitchen)) == ["B-CHILD", "C-GRANDCHILD"]


def test_a_sku_with_a_nul_character_is_404_not_a_database_error(customer_client):
    response = customer_client.get("/api/v1/products/sku/A%00B/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unknown_category_filter_is_400(customer_client):
    response = customer_client.get("/api/v1/products/?category=nope")

    assert response.status_code == 400
    assert "category" in response.json()


def test_a_hidden_category_filters_like_an_unknown_one_for_customers(customer_client, salesperson_client):
    closed = CategoryFactory(slug="closed", is_active=False)
    CategoryFactory(slug="below", parent=closed)

    # customers cannot tell a hidden category from one that does not exist
    for slug in ("closed", "below", "nope"):
        response = customer_client.get(f"/api/v1/products/?category={slug}")
        assert response.status_code == 400
        assert "category" in response.json()
    assert salesperson_client.get("/api/v1/products/?category=below").status_code == 200


def test_search_price_range_and_in_stock_filters(customer_client):
    # descriptions given: generated text could hold a searched word
    ProductFactory(sku="CHEAP", name="Blue mug", description="", price=Decimal("5.00"), stock=0)
    ProductFactory(sku="MID", name="Red mug", description="", price=Decimal("15.00"), stock=2)
    ProductFactory(sku="DEAR", name="Teapot", description="Fits a blue mug", price=Decimal("50.00"), stock=1)

    assert sorted(_skus(customer_client.get("/api/v1/products/?search=blue"))) == ["CHEAP", "DEAR"]
    assert _skus(customer_client.get("/api/v1/products/?search=mid")) == ["MID"]
    assert _skus(customer_client.get("/api/v1/products/?min_price=10&max_price=20")) == ["MID"]
    assert sorted(_skus(customer_client.get("/api/v1/products/?in_stock=true"))) == ["DEAR", "MID"]


def test_in_stock_filter_that_is_not_a_boolean_is_400(customer_client):
    response = customer_client.get("/api/v1/products/?in_stock=maybe")

    assert response.status_code == 400
    assert "in_stock" in response.json()


def test_staff_can_filter_by_status(salesperson_client):
    ProductFactory(sku="ON")
    ProductFactory(sku="OFF", status=ProductStatus.INACTIVE)

    assert _skus(salesperson_client.get("/api/v1/products/?status=inactive")) == ["OFF"]


def test_ordering_by_price_both_ways(customer_client):
    for price in ("30.00", "10.00", "20.00"):
        ProductFactory(price=Decimal(price))

    ascending = customer_client.get("/api/v1/products/?ordering=price").json()["results"]
    descending = customer_client.get("/api/v1/products/?ordering=-price").json()["results"]

    assert [row["price"] for row in ascending] == ["10.00", "20.00", "30.00"]
    assert [row["price"] for row in descending] == ["30.00", "20.00", "10.00"]


def test_ordering_by_cost_price_is_for_staff_only(customer_client, ceo_client):
    ProductFactory(sku="LOW-COST", name="B", cost_price=Decimal("1.00"))
    ProductFactory(sku="HIGH-COST", name="A", cost_price=Decimal("9.00"))

    assert _skus(ceo_client.get("/api/v1/products/?ordering=-cost_price")) == ["HIGH-COST", "LOW-COST"]
    assert _skus(ceo_client.get("/api/v1/products/?ordering=cost_price")) == ["LOW-COST", "HIGH-COST"]
    # Ignored for customers (the default, by name, applies): cost must not leak through order.
    assert _skus(customer_client.get("/api/v1/products/?ordering=cost_price")) == ["HIGH-COST", "LOW-COST"]


def test_page_size_is_capped_at_100(customer_client):
    category = CategoryFactory()
    Product.objects.bulk_create(
        [
            Product(sku=f"BULK-{n:03d}", name=f"P{n}", price=1, cost_price=0, category=category)
            for n in range(105)
        ]
    )

    body = customer_client.get("/api/v1/products/?page_size=500").json()

    assert body["count"] == 105
    assert len(body["results"]) == 100
    assert body["next"] is not None


@pytest.mark.parametrize("page_size", ["0", "-1", "1.5", "²", "x"])
def test_a_page_size_that_is_not_a_whole_number_from_1_is_400(customer_client, page_size):
    response = customer_client.get("/api/v1/categories/", {"page_size": page_size})

    assert response.status_code == 400
    assert response.json() == {"page_size": ["Enter a whole number from 1 up."]}


@pytest.mark.parametrize("client_fixture", ["customer_client", "salesperson_client"])
def test_product_list_runs_a_constant_number_of_queries(
    request, client_fixture, django_assert_max_num_queries
):
    client = request.getfixturevalue(client_fixture)
    ProductFactory.create_batch(2, stock=1)
    with django_assert_max_num_queries(8) as few:
        assert len(client.get("/api/v1/products/?page_size=100").json()["results"]) == 2

    ProductFactory.create_batch(23, stock=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/products/?page_size=100").json()["results"]) == 25


@pytest.mark.parametrize("client_fixture", ["customer_client", "salesperson_client"])
def test_a_category_page_costs_a_count_and_a_select_however_many_rows(
    request, client_fixture, django_assert_num_queries
):
    """The hot path: the user and the category tree come from the cache once warm, and a page
    nobody changed since is served from the cache without a query at all."""
    client = request.getfixturevalue(client_fixture)
    category = CategoryFactory(slug="lamps")
    ProductFactory.create_batch(2, stock=1, category=category)
    url = "/api/v1/products/?category=lamps&page_size=60"
    client.get("/api/v1/users/me/")  # warms the auth cache
    client.get("/api/v1/categories/")  # and this process's category tree

    with django_assert_num_queries(2):
        assert len(client.get(url).json()["results"]) == 2
    with django_assert_num_queries(0):
        assert len(client.get(url).json()["results"]) == 2

    ProductFactory.create_batch(58, stock=1, category=category)
    with django_assert_num_queries(2):
        assert len(client.get(url).json()["results"]) == 60
    with django_assert_num_queries(0):
        assert len(client.get(url).json()["results"]) == 60


def test_a_cached_page_shows_every_change_at_the_next_request(customer, customer_client, salesperson):
    from catalog.services import product_update
    from inventory.services import stock_adjust
    from orders.tests.factories import place_order

    lamp = ProductFactory(sku="LAMP", stock=5, price=Decimal("10.00"))
    hidden_later = ProductFactory(sku="GONE", stock=5)
    url = "/api/v1/products/?ordering=name"

    def shown() -> dict:
        return {row["sku"]: row for row in customer_client.get(url).json()["results"]}

    assert shown()["LAMP"]["stock"] == 5
    place_order(customer=customer, products={lamp: 2})
    assert shown()["LAMP"]["stock"] == 3
    stock_adjust(product=lamp, actor=salesperson, reason="restock", delta=7)
    assert shown()["LAMP"]["stock"] == 10
    product_update(product=lamp, actor=salesperson, data={"price": Decimal("12.50")})
    assert shown()["LAMP"]["price"] == "12.50"
    Review.objects.create(product=lamp, customer=customer, rating=3)
    assert shown()["LAMP"]["rating"] == 3.0
    product_update(product=hidden_later, actor=salesperson, data={"status": ProductStatus.INACTIVE})
    assert "GONE" not in shown()
    lamp.category.is_active = False
    lamp.category.save()
    assert "LAMP" not in shown()


@pytest.mark.parametrize("client_fixture", ["customer_client", "salesperson_client"])
def test_list_rows_are_exactly_the_product_representation(request, client_fixture, customer):
    """The list renders values() rows itself; each must equal what the detail's serializer says."""
    client = request.getfixturevalue(client_fixture)
    reviewed = ProductFactory(stock=3, price=Decimal("10.05"), cost_price=Decimal("3.33"))
    Review.objects.create(product=reviewed, customer=customer, rating=4)
    Review.objects.create(product=reviewed, customer=CustomerFactory(), rating=5)
    ProductFactory(stock=0, category=None, created_by=None, image_url="https://example.com/a.png")
    ProductFactory(price=Decimal("99999999.99"), cost_price=Decimal("0"))  # no stock row at all

    listed = client.get("/api/v1/products/?page_size=100").json()["results"]

    assert len(listed) == 3
    for row in listed:
        assert row == client.get(f"/api/v1/products/{row['id']}/").json()


# Writes ------------------------------------------------------------------------------------------


def test_staff_create_a_product_with_opening_stock(salesperson_client, salesperson):
    response = salesperson_client.post("/api/v1/products/", _payload(stock=7), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sku"] == "NEW-001"
    assert body["price"] == "24.50"
    assert body["category"] == "lamps"
    assert body["stock"] == 7
    assert body["created_by"] == salesperson.pk
    product = Product.objects.get(sku="NEW-001")
    assert Stock.objects.get(product=product).quantity == 7
    assert StockMovement.objects.get(product=product).reason == "restock"
    entry = AuditEntry.objects.get(action="create", entity_type="catalog.product")
    assert entry.actor == salesperson
    assert entry.changes["price"] == [None, "24.50"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price", "0"),
        ("price", "0.00"),
        ("price", "-1.00"),
        ("price", "cheap"),
        ("price", "1.999"),
        ("cost_price", "-0.01"),
        ("cost_price", "free"),
        ("status", "sold-out"),
        ("category", "no-such-category"),
        ("category", "lam\x00ps"),  # PostgreSQL refuses NUL: still a 400
        ("sku", ""),
        ("sku", "A/B"),  # the product would be unreachable at /products/sku/{sku}/ and /inventory/{sku}/
        ("price", "10000000000000.00"),
        ("stock", 2**31),
    ],
)
def test_invalid_product_input_is_400_with_a_field_message(ceo_client, field, value):
    response = ceo_client.post("/api/v1/products/", _payload(**{field: value}), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Product.objects.exists()


def test_duplicate_sku_is_400_on_create_and_update(ceo_client):
    ProductFactory(sku="TAKEN")
    other = ProductFactory(sku="OTHER")

    created = ceo_client.post("/api/v1/products/", _payload(sku="TAKEN"), format="json")
    renamed = ceo_client.patch(f"/api/v1/products/{other.pk}/", {"sku": "TAKEN"}, format="json")

    assert created.status_code == 400
    assert "sku" in created.json()
    assert renamed.status_code == 400
    assert "sku" in renamed.json()
    assert Product.objects.get(pk=other.pk).sku == "OTHER"


def test_patch_changes_fields_and_audits_old_and_new(salesperson_client, salesperson):
    product = ProductFactory(price=Decimal("10.00"), status=ProductStatus.ACTIVE)
    old_category = product.category.slug
    CategoryFactory(slug="new-home")

    response = salesperson_client.patch(
        f"/api/v1/products/{product.pk}/",
        {"price": "12.00", "status": "archived", "category": "new-home"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["price"] == "12.00"
    assert response.json()["status"] == "archived"
    assert response.json()["category"] == "new-home"
    entry = AuditEntry.objects.get(action="update", entity_id=str(product.pk))
    assert entry.actor == salesperson
    assert entry.changes == {
        "price": ["10.00", "12.00"],
        "status": ["active", "archived"],
        "category": [old_category, "new-home"],
    }


def test_put_replaces_the_product(ceo_client):
    product = ProductFactory(sku="OLD", description="old text")

    response = ceo_client.put(
        f"/api/v1/products/{product.pk}/", _payload(sku="OLD", name="Renamed"), format="json"
    )

    assert response.status_code == 200
    product.refresh_from_db()
    assert (product.name, product.description, product.price) == ("Renamed", "A lamp", Decimal("24.50"))


def test_delete_a_never_ordered_product(salesperson_client):
    product = ProductFactory(stock=5)

    response = salesperson_client.delete(f"/api/v1/products/{product.pk}/")

    assert response.status_code == 204
    assert not Product.objects.filter(pk=product.pk).exists()
    assert not StockMovement.objects.filter(product_id=product.pk).exists()
    assert AuditEntry.objects.filter(action="delete", entity_id=str(product.pk)).exists()


def test_a_product_in_an_order_is_never_deleted(ceo_client):
    item = OrderItemFactory()

    response = ceo_client.delete(f"/api/v1/products/{item.product_id}/")

    assert response.status_code == 409
    assert response.json()["code"] == "product_in_orders"
    assert Product.objects.filter(pk=item.product_id).exists()
    assert not AuditEntry.objects.filter(action="delete").exists()


def test_a_product_in_an_inactive_category_is_hidden_from_customers_everywhere(
    customer, customer_client, salesperson_client
):
    closed = CategoryFactory(slug="closed-shop", is_active=False)
    below = CategoryFactory(slug="below-closed", parent=closed)
    product = ProductFactory(sku="HIDDEN-1", category=below, stock=5)
    Review.objects.create(product=product, customer=CustomerFactory(), rating=5)
    order = {
        "items": [{"product": product.pk, "quantity": 1}],
        "shipping_address": {
            "name": "A",
            "line1": "B",
            "city": "C",
            "postal_code": "1",
            "country": "FR",
        },
    }

    assert customer_client.get(f"/api/v1/products/{product.pk}/").status_code == 404
    assert customer_client.get("/api/v1/products/sku/HIDDEN-1/").status_code == 404
    assert customer_client.get(f"/api/v1/products/{product.pk}/reviews/").status_code == 404
    assert customer_client.post(f"/api/v1/products/{product.pk}/reviews/", {"rating": 4}).status_code == 404
    assert "HIDDEN-1" not in [p["sku"] for p in customer_client.get("/api/v1/products/").json()["results"]]
    refused = customer_client.post("/api/v1/orders/", order)
    assert refused.status_code == 400
    assert "items" in refused.json()
    assert Stock.objects.get(product=product).quantity == 5
    # staff still see it (and may reactivate the category)
    assert salesperson_client.get(f"/api/v1/products/{product.pk}/reviews/").status_code == 200
