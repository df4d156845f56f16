"""Two-factor sign-in in a real browser: a salesperson turns it on through the API, then signs
in to the admin with a code from the authenticator app, and again with a recovery code.
Run with `make browser` (see test_staff_flows.py)."""

import re

import pytest

from accounts.tests.factories import DEFAULT_PASSWORD, SalespersonFactory, totp_code
from salesbackend.tests.browser.test_staff_flows import Watched

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _turn_on_through_the_api(watched: Watched, username: str) -> tuple[str, list[str]]:
    api = watched.context.request
    tokens = api.post("/api/v1/auth/login/", data={"username": username, "password": DEFAULT_PASSWORD}).json()
    bearer = {"Authorization": f"Bearer {tokens['access']}"}
    setup = api.post("/api/v1/auth/mfa/setup/", data={"current_password": DEFAULT_PASSWORD}, headers=bearer)
    assert setup.status == 200, setup.text()
    secret = setup.json()["secret"]
    confirm = api.post("/api/v1/auth/mfa/confirm/", data={"code": totp_code(secret)}, headers=bearer)
    assert confirm.status == 200, confirm.text()
    return secret, confirm.json()["recovery_codes"]


def _password_step(watched: Watched, username: str) -> None:
    watched.goto("/admin/login/?next=/admin/")
    watched.page.fill("#id_username", username)
    watched.page.fill("#id_password", DEFAULT_PASSWORD)
    watched.page.click("input[type=submit]")
    watched.page.wait_for_url(re.compile(r"/admin/login/code/$"))


def test_a_salesperson_signs_in_to_the_admin_with_a_code_and_with_a_recovery_code(browser, live_server):
    SalespersonFactory(username="sam")
    first = Watched(browser, live_server.url)
    secret, recovery_codes = _turn_on_through_the_api(first, "sam")

    _password_step(first, "sam")
    first.shot("admin-login-code-step")
    first.page.fill("#id_code", totp_code(secret, steps_ahead=1))
    first.page.click("input[type=submit]")
    first.page.wait_for_url(re.compile(r"/admin/$"))
    first.shot("admin-signed-in-with-code")
    assert first.close() == []

    second = Watched(browser, live_server.url)
    _password_step(second, "sam")
    second.page.fill("#id_recovery_code", recovery_codes[0])
    second.page.click("input[type=submit]")
    second.page.wait_for_url(re.compile(r"/admin/$"))
    assert second.close() == []

    # The recovery code is spent: a third sign-in with it stays at the code step.
    third = Watched(browser, live_server.url)
    _password_step(third, "sam")
    third.page.fill("#id_recovery_code", recovery_codes[0])
    third.page.click("input[type=submit]")
    third.page.wait_for_selector("text=The code is not correct.")
    assert re.search(r"/admin/login/code/$", third.page.url)
    assert third.close() == []
