"""Faults survived: with Redis gone the shop still sells and answers, and says what is down."""

import pytest

from catalog.tests.factories import ProductFactory
from conftest import client_for
from orders.models import Order
from orders.tests.factories import ADDRESS

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:6390/0"  # nothing listens there


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    settings.REDIS_URL = DEAD_REDIS


def test_with_redis_down_orders_are_placed_and_reports_answer(redis_down, customer, ceo, client):
    product = ProductFactory(stock=5)
    shopper, manager = client_for(customer), client_for(ceo)

    placed = shopper.post(
        "/api/v1/orders/", {"items": [{"product": product.pk, "quantity": 2}], "shipping_address": ADDRESS}
    )
    listed = shopper.get("/api/v1/products/")
    summary = manager.get("/api/v1/analytics/summary/")
    login = client.post(
        "/api/v1/auth/login/",
        {"username": customer.username, "password": "Sales-Pass-2026!"},
        content_type="application/json",
    )
    health = client.get("/healthz")

    assert placed.status_code == 201, placed.json()
    assert Order.objects.filter(pk=placed.json()["id"]).exists()
    assert listed.status_code == 200
    assert summary.status_code == 200
    assert login.status_code == 200
    assert health.status_code == 503
    assert health.json() == {"status": "error", "database": "ok", "cache": "error"}
