"""API.md "Sign-in rules": one atomic budget per account and per address at every door."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts import services
from accounts.signin import SignInThrottled, sign_in_attempt
from accounts.tests.factories import DEFAULT_PASSWORD, CustomerFactory, SalespersonFactory
from audit.models import AuditAction, AuditEntry
from conftest import client_for

pytestmark = pytest.mark.django_db

User = get_user_model()
LOGIN = "/api/v1/auth/login/"
ME = "/api/v1/users/me/"
ADMIN_LOGIN = "/admin/login/"


@pytest.fixture
def strict(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"login_name": "3/min", "login_ip": "100/min"},
    }


def _admin_login(client, username, password):
    return client.post(ADMIN_LOGIN, {"username": username, "password": password, "next": "/admin/"})


def test_username_and_email_of_one_account_share_one_budget(strict, anon_client):
    user = CustomerFactory(username="ann", email="ann@example.com")
    for login in ("ann", "ANN@example.com", "Ann"):
        assert anon_client.post(LOGIN, {"username": login, "password": "wrong"}).status_code == 401

    response = anon_client.post(LOGIN, {"email": "ann@example.com", "password": DEFAULT_PASSWORD})

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    assert not AuditEntry.objects.filter(action=AuditAction.LOGIN, actor=user).exists()


def test_right_passwords_never_use_up_the_budget(strict, anon_client):
    CustomerFactory(username="bea")
    for _ in range(6):
        assert anon_client.post(LOGIN, {"username": "bea", "password": DEFAULT_PASSWORD}).status_code == 200


def test_parallel_guesses_get_no_extra_tries(strict):
    """Every attempt takes its try atomically before the password is checked."""
    user = CustomerFactory()
    start = threading.Barrier(12)
    outcomes = []

    def guess():
        start.wait(timeout=10)
        try:
            sign_in_attempt(user=user)
            outcomes.append("checked")
        except SignInThrottled:
            outcomes.append("refused")

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["checked"] * 3 + ["refused"] * 9


def test_the_admin_login_is_throttled_with_the_api_budget_and_audited(strict, anon_client):
    staff = SalespersonFactory(username="sam")
    browser = Client()
    for _ in range(2):
        page = _admin_login(browser, "sam", "wrong")
        assert page.status_code == 200  # the form again, with its error
    assert anon_client.post(LOGIN, {"username": "sam", "password": "wrong"}).status_code == 401

    refused = _admin_login(browser, "sam", DEFAULT_PASSWORD)

    assert refused.status_code == 200
    assert "Too many failed sign-in attempts" in refused.content.decode()
    assert "_auth_user_id" not in browser.session
    assert anon_client.post(LOGIN, {"username": "sam", "password": DEFAULT_PASSWORD}).status_code == 429
    failures = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, entity_repr="sam")
    assert failures.count() == 3
    assert all(entry.ip == "127.0.0.1" for entry in failures)
    assert not AuditEntry.objects.filter(action=AuditAction.LOGIN, actor=staff).exists()


def test_an_admin_login_is_audited_with_the_address(anon_client):
    staff = SalespersonFactory(username="sue")
    browser = Client()

    response = _admin_login(browser, "sue", DEFAULT_PASSWORD)

    assert response.status_code == 302
    assert browser.session["_auth_user_id"] == str(staff.pk)
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN, actor=staff)
    assert entry.ip == "127.0.0.1"


def test_a_customer_cannot_sign_into_the_admin_and_it_counts_as_a_failure():
    CustomerFactory(username="cal")

    response = _admin_login(Client(), "cal", DEFAULT_PASSWORD)

    assert response.status_code == 200
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, entity_repr="cal").count() == 1


def test_wrong_current_passwords_on_the_profile_use_the_same_budget(strict, customer):
    client = client_for(customer)
    for _ in range(3):
        response = client.patch(ME, {"password": "Autumn-Sale-2026", "current_password": "wrong"})
        assert response.status_code == 400

    response = client.patch(ME, {"password": "Autumn-Sale-2026", "current_password": DEFAULT_PASSWORD})

    assert response.status_code == 429
    customer.refresh_from_db()
    assert customer.check_password(DEFAULT_PASSWORD)
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, entity_id=str(customer.pk)).count() == 3
    login = {"username": customer.username, "password": DEFAULT_PASSWORD}
    assert Client().post(LOGIN, login, content_type="application/json").status_code == 429


def test_changing_the_email_needs_the_current_password(customer):
    client = client_for(customer)

    response = client.patch(ME, {"email": "new@example.com"})

    assert response.status_code == 400
    assert "current_password" in response.json()
    customer.refresh_from_db()
    assert customer.email != "new@example.com"
    assert (
        client.patch(ME, {"email": "new@example.com", "current_password": DEFAULT_PASSWORD}).status_code
        == 200
    )


def test_the_login_service_refuses_non_staff_only_when_asked():
    CustomerFactory(username="dee")
    assert services.user_login(login="dee", password=DEFAULT_PASSWORD).username == "dee"
    with pytest.raises(services.InvalidCredentials):
        services.user_login(login="dee", password=DEFAULT_PASSWORD, staff_only=True)


@pytest.mark.parametrize("username", ["victim@corp.com", "a@b"])
def test_no_username_looks_like_an_email_through_any_door(username, anon_client, ceo, customer):
    from django.core.management import CommandError, call_command

    victim = CustomerFactory(email="victim@corp.com")
    register = anon_client.post(
        "/api/v1/auth/register/",
        {"username": username, "email": "x@example.com", "password": "Winter-Sale-2026"},
    )
    created = client_for(ceo).post(
        "/api/v1/users/",
        {"username": username, "email": "y@example.com", "password": "Winter-Sale-2026", "role": "customer"},
    )
    with pytest.raises(CommandError):
        call_command(
            "createuser",
            "--role",
            "customer",
            "--username",
            username,
            "--email",
            "z@example.com",
            "--password",
            "Winter-Sale-2026",
        )

    for response in (register, created):
        assert response.status_code == 400
        assert "username" in response.json()
    assert not User.objects.filter(username__iexact=username).exists()
    # the owner's e-mail login still works
    assert (
        anon_client.post(LOGIN, {"username": "victim@corp.com", "password": DEFAULT_PASSWORD}).status_code
        == 200
    )
    assert victim.is_active


# --- issue 21: the budgets hold while the cache is down -----------------------------------------


@pytest.fixture
def cache_down(monkeypatch):
    """Every cache call the budgets make fails, as with Redis down; counts start at nothing."""
    from django.core.cache import cache

    from accounts import signin

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    for method in ("add", "incr", "decr", "set", "get"):
        monkeypatch.setattr(cache, method, broken)
    counts = getattr(signin, "_fallback", None)
    if counts is not None:
        counts.clear()
    yield
    if counts is not None:
        counts.clear()


def test_with_the_cache_down_a_guesser_is_still_stopped(strict, cache_down, anon_client):
    CustomerFactory(username="gus")
    for _ in range(3):
        assert anon_client.post(LOGIN, {"username": "gus", "password": "wrong"}).status_code == 401

    response = anon_client.post(LOGIN, {"username": "gus", "password": DEFAULT_PASSWORD})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, entity_repr="gus").count() == 3


def test_with_the_cache_down_right_passwords_still_sign_in(strict, cache_down, anon_client):
    CustomerFactory(username="gwen")
    for _ in range(6):
        assert anon_client.post(LOGIN, {"username": "gwen", "password": DEFAULT_PASSWORD}).status_code == 200
