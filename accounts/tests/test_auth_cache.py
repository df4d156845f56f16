"""The JWT user comes from the cache (no query on a hit) and every change shows at once."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache

from accounts import services
from accounts.roles import Role
from conftest import client_for

pytestmark = pytest.mark.django_db

ME = "/api/v1/users/me/"
USERS = "/api/v1/users/"


def test_a_repeated_request_authenticates_without_a_query(customer, django_assert_num_queries):
    client = client_for(customer)
    assert client.get(ME).status_code == 200  # fills the cache

    with django_assert_num_queries(0):
        response = client.get(ME)

    assert response.status_code == 200
    assert response.json()["role"] == "customer"


def test_a_cached_analytics_answer_costs_no_query_at_all(ceo, django_assert_num_queries):
    """Role check and answer both from the cache: the hot path of a report dashboard."""
    client = client_for(ceo)
    first = client.get("/api/v1/analytics/top-products/?limit=5")
    assert first.status_code == 200

    with django_assert_num_queries(0):
        again = client.get("/api/v1/analytics/top-products/?limit=5")

    assert again.status_code == 200
    assert again.json() == first.json()


def test_a_customer_is_refused_analytics_from_the_cached_permissions(customer):
    client = client_for(customer)
    client.get(ME)

    assert client.get("/api/v1/analytics/top-products/").status_code == 403


def test_a_banned_user_is_refused_at_the_next_request(ceo, customer):
    client = client_for(customer)
    assert client.get(ME).status_code == 200

    services.user_update(user=customer, actor=ceo, data={"is_active": False})

    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "user_inactive"


def test_a_changed_password_ends_older_tokens_at_the_next_request(customer):
    client = client_for(customer)
    assert client.get(ME).status_code == 200

    customer.set_password("Another-Pass-2026!")
    customer.save()

    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "password_changed"


def test_a_role_change_shows_at_the_next_request(ceo, salesperson):
    client = client_for(salesperson)
    assert client.get(USERS).status_code == 200  # salespersons list customers

    services.user_update(user=salesperson, actor=ceo, data={"role": Role.CUSTOMER})

    assert client.get(USERS).status_code == 403
    assert client.get(ME).json()["role"] == "customer"


def test_a_permission_taken_from_a_role_group_shows_at_the_next_request(salesperson):
    client = client_for(salesperson)
    assert client.get(USERS).status_code == 200
    group = Group.objects.get(name=Role.SALESPERSON.group_name)

    group.permissions.remove(Permission.objects.get(codename="view_customers"))

    assert client.get(USERS).status_code == 403


def test_a_deleted_user_is_refused(customer):
    client = client_for(customer)
    assert client.get(ME).status_code == 200

    customer.delete()

    assert client.get(ME).status_code == 401


def test_a_stale_entry_written_after_a_change_is_never_served(ceo, customer):
    """A request that read the row just before a ban committed stores it under the generation
    it read first; the ban bumped that generation, so the entry is a miss."""
    from accounts import authcache

    client = client_for(customer)
    client.get(ME)
    stale = cache.get(f"auth:user:{customer.pk}")
    assert stale is not None

    services.user_update(user=customer, actor=ceo, data={"is_active": False})
    cache.set(f"auth:user:{customer.pk}", stale)  # the racing reader's late write

    assert authcache.user_for_request(customer.pk).is_active is False
    assert client.get(ME).status_code == 401


def test_without_a_working_cache_users_still_authenticate(customer, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", broken)
    monkeypatch.setattr(cache, "set", broken)

    response = client_for(customer).get(ME)

    assert response.status_code == 200
    assert response.json()["id"] == customer.pk


def test_an_entry_in_another_format_is_a_miss_and_replaced(customer):
    """What an earlier release stored under the same key must not break authentication."""
    from accounts import authcache

    cache.set(f"auth:user:{customer.pk}", {"fields": "an older format"})

    assert authcache.user_for_request(customer.pk).pk == customer.pk
    assert isinstance(cache.get(f"auth:user:{customer.pk}"), tuple)
