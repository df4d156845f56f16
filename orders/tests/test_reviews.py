import pytest

from audit.models import AuditEntry
from catalog.models import ProductStatus
from catalog.tests.factories import ProductFactory
from orders.models import OrderStatus, Review
from orders.services import order_set_status
from orders.tests.factories import place_order

pytestmark = pytest.mark.django_db


def _url(product) -> str:
    return f"/api/v1/products/{product.pk}/reviews/"


def _received(customer, product, staff, status=OrderStatus.DELIVERED):
    order = place_order(customer=customer, products={product: 1})
    for step in {
        OrderStatus.PENDING: [],
        OrderStatus.PAID: [OrderStatus.PAID],
        OrderStatus.SHIPPED: [OrderStatus.PAID, OrderStatus.SHIPPED],
        OrderStatus.DELIVERED: [OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED],
    }[status]:
        order_set_status(order=order, to_status=step, actor=staff)
    return order


@pytest.fixture
def product():
    return ProductFactory(stock=10)


def test_a_customer_reviews_a_product_they_received(customer, customer_client, salesperson, product):
    _received(customer, product, salesperson)

    response = customer_client.post(
        _url(product), {"rating": 4, "title": "Good", "body": "Works."}, format="json"
    )

    assert response.status_code == 201
    assert {k: response.json()[k] for k in ("product", "rating", "title", "body")} == {
        "product": product.pk,
        "rating": 4,
        "title": "Good",
        "body": "Works.",
    }
    review = Review.objects.get()
    assert (review.customer, review.product) == (customer, product)
    assert AuditEntry.objects.filter(entity_type="orders.review", entity_id=str(review.pk)).exists()


@pytest.mark.parametrize("status", [OrderStatus.PENDING, OrderStatus.PAID, OrderStatus.SHIPPED])
def test_no_review_before_delivery(customer, customer_client, salesperson, product, status):
    _received(customer, product, salesperson, status=status)

    response = customer_client.post(_url(product), {"rating": 5}, format="json")

    assert response.status_code == 403
    assert not Review.objects.exists()


def test_no_review_of_a_product_never_ordered(customer_client, product):
    response = customer_client.post(_url(product), {"rating": 5}, format="json")

    assert response.status_code == 403
    assert not Review.objects.exists()


def test_a_second_review_of_the_same_product_is_a_409(customer, customer_client, salesperson, product):
    _received(customer, product, salesperson)
    customer_client.post(_url(product), {"rating": 4}, format="json")

    second = customer_client.post(_url(product), {"rating": 1}, format="json")

    assert second.status_code == 409
    assert second.json()["code"] == "duplicate_review"
    assert list(Review.objects.values_list("rating", flat=True)) == [4]


@pytest.mark.parametrize("rating", [0, 6, -1, "x", 4.5, None])
def test_rating_must_be_1_to_5(customer, customer_client, salesperson, product, rating):
    _received(customer, product, salesperson)

    response = customer_client.post(_url(product), {"rating": rating}, format="json")

    assert response.status_code == 400
    assert "rating" in response.json()
    assert not Review.objects.exists()


@pytest.mark.parametrize(("role", "expected"), [("anonymous", 401), ("salesperson", 403), ("ceo", 403)])
def test_only_customers_write_reviews(role_clients, role, expected, product):
    response = role_clients[role].post(_url(product), {"rating": 5}, format="json")

    assert response.status_code == expected
    assert not Review.objects.exists()


@pytest.mark.parametrize("role", ["customer", "salesperson", "ceo"])
def test_anyone_signed_in_reads_reviews(role_clients, role, customer, salesperson, product):
    _received(customer, product, salesperson)
    role_clients["customer"].post(_url(product), {"rating": 3, "title": "Fine"}, format="json")

    response = role_clients[role].get(_url(product))

    assert response.status_code == 200
    assert [(r["rating"], r["title"]) for r in response.json()["results"]] == [(3, "Fine")]
    assert "email" not in response.content.decode()


def test_anonymous_cannot_read_reviews(anon_client, product):
    assert anon_client.get(_url(product)).status_code == 401


def test_reviews_of_a_non_active_product_are_hidden_from_customers(customer_client, salesperson_client):
    archived = ProductFactory(status=ProductStatus.ARCHIVED)

    assert customer_client.get(_url(archived)).status_code == 404
    assert salesperson_client.get(_url(archived)).status_code == 200
    assert customer_client.get("/api/v1/products/999999/reviews/").status_code == 404
