"""Issue 21: /admin/password_change/ checks the old password under the sign-in budgets and audits
every wrong one, like `current_password` on PATCH users/me/ (API.md "Sign-in rules")."""

import pytest
from django.test import Client

from accounts.tests.factories import DEFAULT_PASSWORD, SalespersonFactory
from audit.models import AuditAction, AuditEntry
from conftest import client_for

pytestmark = pytest.mark.django_db

PAGE = "/admin/password_change/"
NEW_PASSWORD = "Winter-Sale-2027!"


def _change(browser, old_password):
    return browser.post(
        PAGE, {"old_password": old_password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )


@pytest.fixture
def staff():
    return SalespersonFactory(username="sam")


@pytest.fixture
def browser(staff):
    client = Client()
    client.force_login(staff)
    return client


def test_guessing_the_old_password_is_stopped_by_the_budget_and_audited(staff, browser):
    for _ in range(14):
        assert _change(browser, "wrong").status_code == 200  # the form again, with its error

    refused = _change(browser, DEFAULT_PASSWORD)

    assert refused.status_code == 200
    assert "Too many failed sign-in attempts" in refused.content.decode()
    staff.refresh_from_db()
    assert staff.check_password(DEFAULT_PASSWORD)
    # Every wrong password that was checked is a failed login (10 a minute per account).
    failures = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, entity_id=str(staff.pk))
    assert failures.count() == 10
    assert all(entry.ip == "127.0.0.1" for entry in failures)
    # The same budget as the API's login.
    login = {"username": "sam", "password": DEFAULT_PASSWORD}
    assert client_for().post("/api/v1/auth/login/", login).status_code == 429


def test_the_right_old_password_changes_it_through_the_service(staff, browser):
    old_tokens = client_for().post("/api/v1/auth/login/", {"username": "sam", "password": DEFAULT_PASSWORD})
    other_browser = Client()
    other_browser.force_login(staff)

    response = _change(browser, DEFAULT_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/admin/password_change/done/"
    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)
    assert AuditEntry.objects.filter(action=AuditAction.UPDATE, entity_id=str(staff.pk)).exists()
    # This session goes on; the refresh token from before is revoked.
    assert browser.get("/admin/").status_code == 200
    refresh = old_tokens.json()["refresh"]
    assert client_for().post("/api/v1/auth/refresh/", {"refresh": refresh}).status_code == 401
