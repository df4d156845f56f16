"""Issue 21: a ban, a deactivation or a password change ends every session of the user for good:
tokens and admin sessions from before stay refused after the account is reactivated."""

import pytest
from django.test import Client

from accounts import services
from accounts.tests.factories import DEFAULT_PASSWORD, CustomerFactory, SalespersonFactory
from conftest import client_for

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login/"
REFRESH = "/api/v1/auth/refresh/"
ME = "/api/v1/users/me/"


def _login(user):
    response = client_for().post(LOGIN, {"username": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    return response.json()


def _bearer(access):
    client = client_for()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def _admin_session(user) -> Client:
    browser = Client()
    response = browser.post("/admin/login/", {"username": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return browser


def test_an_access_token_from_before_a_ban_stays_refused_after_the_unban(ceo_client, customer):
    tokens = _login(customer)
    assert _bearer(tokens["access"]).get(ME).status_code == 200

    assert ceo_client.patch(f"/api/v1/users/{customer.pk}/", {"is_active": False}).status_code == 200
    assert ceo_client.patch(f"/api/v1/users/{customer.pk}/", {"is_active": True}).status_code == 200

    refused = _bearer(tokens["access"]).get(ME)
    assert refused.status_code == 401
    assert refused.json()["code"] == "session_ended"
    assert client_for().post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 401
    # Signing in again works.
    assert _bearer(_login(customer)["access"]).get(ME).status_code == 200


def test_a_token_from_before_closing_the_account_stays_refused_after_reopening(ceo, customer):
    tokens = _login(customer)
    assert _bearer(tokens["access"]).delete(ME).status_code == 204

    services.user_update(user=customer, actor=ceo, data={"is_active": True})

    assert _bearer(tokens["access"]).get(ME).status_code == 401


def test_an_admin_session_from_before_a_ban_stays_ended_after_the_unban(ceo):
    staff = SalespersonFactory()
    browser = _admin_session(staff)
    assert browser.get("/admin/").status_code == 200

    services.user_update(user=staff, actor=ceo, data={"is_active": False})
    services.user_update(user=staff, actor=ceo, data={"is_active": True})

    response = browser.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_password_set_by_the_ceo_ends_the_users_tokens_and_admin_sessions(ceo):
    staff = SalespersonFactory()
    tokens = _login(staff)
    browser = _admin_session(staff)

    services.user_update(user=staff, actor=ceo, data={"password": "Winter-Sale-2027!"})

    assert _bearer(tokens["access"]).get(ME).status_code == 401
    assert browser.get("/admin/").status_code == 302


def test_other_users_sessions_are_untouched(ceo):
    banned, bystander = CustomerFactory(), CustomerFactory()
    tokens = _login(bystander)

    services.user_update(user=banned, actor=ceo, data={"is_active": False})
    services.user_update(user=banned, actor=ceo, data={"is_active": True})

    assert _bearer(tokens["access"]).get(ME).status_code == 200
    assert client_for().post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 200


# --- AUTH_SINGLE_SESSION ------------------------------------------------------------------------


@pytest.fixture
def single_session(settings):
    settings.AUTH_SINGLE_SESSION = True


def test_with_single_session_a_new_login_ends_the_other_sessions(single_session, customer):
    first = _login(customer)
    second = _login(customer)

    refused = _bearer(first["access"]).get(ME)
    assert refused.status_code == 401
    assert refused.json()["code"] == "session_ended"
    assert client_for().post(REFRESH, {"refresh": first["refresh"]}).status_code == 401
    assert _bearer(second["access"]).get(ME).status_code == 200
    assert client_for().post(REFRESH, {"refresh": second["refresh"]}).status_code == 200


def test_with_single_session_an_admin_login_ends_api_tokens_and_the_other_way_round(single_session):
    staff = SalespersonFactory()
    tokens = _login(staff)

    browser = _admin_session(staff)

    assert _bearer(tokens["access"]).get(ME).status_code == 401
    assert browser.get("/admin/").status_code == 200
    other_browser = _admin_session(staff)
    assert browser.get("/admin/").status_code == 302  # the first admin session has ended
    assert other_browser.get("/admin/").status_code == 200
    _login(staff)
    assert other_browser.get("/admin/").status_code == 302


def test_without_single_session_sessions_live_side_by_side(settings, customer):
    settings.AUTH_SINGLE_SESSION = False
    staff = SalespersonFactory()
    first, browser = _login(staff), _admin_session(staff)
    second = _login(staff)

    assert _bearer(first["access"]).get(ME).status_code == 200
    assert _bearer(second["access"]).get(ME).status_code == 200
    assert client_for().post(REFRESH, {"refresh": first["refresh"]}).status_code == 200
    assert browser.get("/admin/").status_code == 200
