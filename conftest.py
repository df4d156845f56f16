"""Fixtures shared by every app's tests: users of each role and API clients for them."""

import time
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connections
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import signin
from accounts.roles import Role, sync_role_groups
from accounts.tests.factories import CEOFactory, CustomerFactory, SalespersonFactory
from catalog.channels import ensure_default_channels
from salesbackend import replica
from salesbackend.celery import app as celery_app


@pytest.fixture(autouse=True, scope="session")
def _celery_in_process():
    """Tasks run inside the test, whatever broker the environment names, so tests see
    their effects (e-mails) and never leave messages on a real queue."""
    celery_app.conf.task_always_eager = True


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clean_cache():
    """Throttles and analytics live in the cache: every test starts with it empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _sign_in_clock_stopped(monkeypatch):
    """Sign-in budgets count per clock-aligned minute: a test that straddled two (a slow CI run)
    started afresh halfway and let one more guess through. Their clock stands still in tests."""
    now = time.time()
    monkeypatch.setattr(signin, "time", SimpleNamespace(time=lambda: now))


@pytest.fixture(autouse=True)
def _no_writes_to_the_replica(request, monkeypatch):
    """With a replica configured, only tests marked `replica` use it (the others read the
    primary, as pytest-django opens only `default` to them), and any statement but a read
    sent to it fails the test."""
    if "replica" not in connections.databases:
        yield
        return
    if request.node.get_closest_marker("replica") is None:
        monkeypatch.setattr(replica, "in_use", False)

    def refuse_writes(execute, sql, params, many, context):
        assert sql.lstrip().upper().startswith(("SELECT", "SHOW", "SET", "WITH")), (
            f"write sent to the replica: {sql[:80]}"
        )
        return execute(sql, params, many, context)

    with connections["replica"].execute_wrapper(refuse_writes):
        yield


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Role groups, default channels and the location `main` come from data migrations; a
    transactional test's flush wipes them, so put them back before any test that uses the database."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or bool(
        marker and marker.kwargs.get("transaction")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
    elif marker is not None or "db" in request.fixturenames:
        request.getfixturevalue("db")
    else:
        return
    from django.contrib.auth.models import Group

    from catalog.channels import DEFAULT_CHANNELS
    from catalog.models import SalesChannel

    if Group.objects.filter(name__in=[role.group_name for role in Role]).count() != len(Role):
        sync_role_groups(apps)
    if SalesChannel.objects.filter(code__in=[code for code, _ in DEFAULT_CHANNELS]).count() != len(
        DEFAULT_CHANNELS
    ):
        ensure_default_channels(SalesChannel)
    from inventory.services import main_location

    main_location()


@pytest.fixture
def customer(db):
    return CustomerFactory()


@pytest.fixture
def other_customer(db):
    return CustomerFactory()


@pytest.fixture
def salesperson(db):
    return SalespersonFactory()


@pytest.fixture
def ceo(db):
    return CEOFactory()


def client_for(user=None) -> APIClient:
    """An API client authenticated with a real access token for `user` (anonymous if None)."""
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def customer_client(customer):
    return client_for(customer)


@pytest.fixture
def other_customer_client(other_customer):
    return client_for(other_customer)


@pytest.fixture
def salesperson_client(salesperson):
    return client_for(salesperson)


@pytest.fixture
def ceo_client(ceo):
    return client_for(ceo)


@pytest.fixture
def role_clients(customer, salesperson, ceo):
    """Clients by role name, for role-by-endpoint matrices (`anonymous` included)."""
    return {
        "anonymous": client_for(None),
        "customer": client_for(customer),
        "salesperson": client_for(salesperson),
        "ceo": client_for(ceo),
    }
