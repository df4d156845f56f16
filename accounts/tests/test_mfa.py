"""API.md "Two-factor sign-in for staff": setup, confirm, the two-step login, recovery codes,
disable, a CEO's reset, STAFF_REQUIRE_2FA, and the admin's code step."""

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.mfa import services as mfa
from accounts.tests.factories import (
    DEFAULT_PASSWORD,
    CEOFactory,
    CustomerFactory,
    SalespersonFactory,
    mfa_turn_on,
    totp_code,
)
from audit.models import AuditAction, AuditEntry
from conftest import client_for

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login/"
REFRESH = "/api/v1/auth/refresh/"
ME = "/api/v1/users/me/"
SETUP = "/api/v1/auth/mfa/setup/"
CONFIRM = "/api/v1/auth/mfa/confirm/"
VERIFY = "/api/v1/auth/mfa/verify/"
DISABLE = "/api/v1/auth/mfa/disable/"


def _login(user, password=DEFAULT_PASSWORD):
    return client_for().post(LOGIN, {"username": user.username, "password": password})


def _tokens(user):
    response = _login(user)
    assert response.status_code == 200 and "access" in response.json(), response.json()
    return response.json()


def _bearer(access):
    client = client_for()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def _wrong_code(secret):
    """A well-formed code far outside the accepted window."""
    return totp_code(secret, steps_ahead=1000)


def _audited(action, user):
    return AuditEntry.objects.filter(action=action, entity_id=str(user.pk)).count()


@pytest.fixture
def staff():
    return SalespersonFactory(username="sam")


@pytest.fixture
def strict(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"login_name": "3/min", "login_ip": "100/min"},
    }


# --- setup and confirm -----------------------------------------------------------------------


def test_setup_is_for_staff_only(customer_client, anon_client, customer):
    assert customer_client.post(SETUP, {"current_password": DEFAULT_PASSWORD}).status_code == 403
    assert anon_client.post(SETUP, {"current_password": DEFAULT_PASSWORD}).status_code == 401
    assert not TOTPDevice.objects.exists()


def test_setup_needs_the_password_and_turns_nothing_on(staff):
    client = _bearer(_tokens(staff)["access"])

    wrong = client.post(SETUP, {"current_password": "wrong"})
    response = client.post(SETUP, {"current_password": DEFAULT_PASSWORD})
    again = client.post(SETUP, {"current_password": DEFAULT_PASSWORD})

    assert wrong.status_code == 400
    assert "current_password" in wrong.json()
    assert _audited(AuditAction.LOGIN_FAILED, staff) == 1
    assert response.status_code == 200
    assert set(response.json()) == {"secret", "otpauth_url"}
    assert again.json()["otpauth_url"].startswith("otpauth://totp/")
    # A second setup replaces the unconfirmed one; nothing is on yet.
    assert TOTPDevice.objects.filter(user=staff).count() == 1
    assert client.get(ME).json()["mfa_enabled"] is False
    assert _audited(AuditAction.MFA_SETUP, staff) == 2
    assert "access" in _login(staff).json()


def test_confirm_turns_it_on_with_ten_codes_and_ends_the_sessions_from_before(staff):
    tokens = _tokens(staff)
    client = _bearer(tokens["access"])
    secret = client.post(SETUP, {"current_password": DEFAULT_PASSWORD}).json()["secret"]

    wrong = client.post(CONFIRM, {"code": _wrong_code(secret)})
    assert wrong.status_code == 400
    assert "code" in wrong.json()
    staff.refresh_from_db()
    assert staff.mfa_enabled is False

    response = client.post(CONFIRM, {"code": totp_code(secret)})

    assert response.status_code == 200
    codes = response.json()["recovery_codes"]
    assert len(codes) == 10 == len(set(codes))
    # Stored hashed: no code is in the database as it was shown.
    stored = set(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True))
    assert (
        len(stored) == 10
        and not stored & {code.replace("-", "") for code in codes}
        and not stored & set(codes)
    )
    assert _audited(AuditAction.MFA_ENABLE, staff) == 1
    assert client.get(ME).status_code == 401
    assert client_for().post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 401
    assert client.post(SETUP, {"current_password": DEFAULT_PASSWORD}).status_code == 401
    fresh = mfa.mfa_verify(mfa_token=_login(staff).json()["mfa_token"], recovery_code=codes[0])
    assert fresh.mfa_enabled


def test_a_second_setup_while_on_is_a_conflict(staff):
    mfa_turn_on(staff)
    verified = client_for().post(
        VERIFY,
        {"mfa_token": _login(staff).json()["mfa_token"], "code": totp_code(_secret(staff), steps_ahead=1)},
    )
    client = _bearer(verified.json()["access"])

    response = client.post(SETUP, {"current_password": DEFAULT_PASSWORD})

    assert response.status_code == 409
    assert response.json()["code"] == "mfa_already_enabled"
    assert client.get(ME).json()["mfa_enabled"] is True


def _secret(user):
    import base64

    return base64.b32encode(TOTPDevice.objects.get(user=user, confirmed=True).bin_key).decode()


# --- the two-step login ----------------------------------------------------------------------


def test_login_with_the_factor_on_gives_a_ticket_and_a_code_gives_the_tokens(staff):
    secret, _ = mfa_turn_on(staff)

    first = _login(staff)

    assert first.status_code == 200
    assert set(first.json()) == {"mfa_required", "mfa_token"}
    assert first.json()["mfa_required"] is True
    assert not AuditEntry.objects.filter(action=AuditAction.LOGIN, actor=staff).exists()

    ticket = first.json()["mfa_token"]
    response = client_for().post(VERIFY, {"mfa_token": ticket, "code": totp_code(secret, steps_ahead=1)})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh", "user"}
    assert body["user"]["mfa_enabled"] is True
    assert _bearer(body["access"]).get(ME).status_code == 200
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN, actor=staff).count() == 1
    # The ticket served its one successful verify.
    reused = client_for().post(VERIFY, {"mfa_token": ticket, "recovery_code": "anything"})
    assert reused.status_code == 401
    assert reused.json()["code"] == "mfa_token_invalid"


def test_wrong_codes_are_401_audited_and_spend_the_sign_in_budget(strict, staff):
    secret, codes = mfa_turn_on(staff)
    ticket = _login(staff).json()["mfa_token"]

    for _ in range(2):
        wrong = client_for().post(VERIFY, {"mfa_token": ticket, "code": _wrong_code(secret)})
        assert wrong.status_code == 401
        assert wrong.json()["code"] == "mfa_code_invalid"
    # A right password gave its try back; two wrong codes and this one spend the budget of 3.
    assert client_for().post(VERIFY, {"mfa_token": ticket, "recovery_code": "nope-nope"}).status_code == 401
    refused = client_for().post(VERIFY, {"mfa_token": ticket, "recovery_code": codes[0]})

    assert refused.status_code == 429
    assert _audited(AuditAction.MFA_FAILED, staff) == 3
    assert StaticToken.objects.filter(device__user=staff).count() == 10
    assert _login(staff).status_code == 429


def test_an_expired_ticket_is_refused(staff, monkeypatch):
    _, codes = mfa_turn_on(staff)
    ticket = _login(staff).json()["mfa_token"]
    monkeypatch.setattr(mfa, "MFA_TOKEN_SECONDS", -1)

    response = client_for().post(VERIFY, {"mfa_token": ticket, "recovery_code": codes[0]})

    assert response.status_code == 401
    assert StaticToken.objects.filter(device__user=staff).count() == 10


def test_a_tampered_ticket_and_bad_input_are_refused(staff):
    _, codes = mfa_turn_on(staff)
    ticket = _login(staff).json()["mfa_token"]

    tampered = client_for().post(VERIFY, {"mfa_token": ticket[:-2] + "xx", "recovery_code": codes[0]})
    both = client_for().post(VERIFY, {"mfa_token": ticket, "code": "123456", "recovery_code": codes[0]})
    letters = client_for().post(VERIFY, {"mfa_token": ticket, "code": "12345a"})

    assert tampered.status_code == 401
    assert both.status_code == 400 and "code" in both.json()
    assert letters.status_code == 400 and "code" in letters.json()
    assert StaticToken.objects.filter(device__user=staff).count() == 10


def test_a_recovery_code_works_once(staff):
    _, codes = mfa_turn_on(staff)

    first = client_for().post(
        VERIFY, {"mfa_token": _login(staff).json()["mfa_token"], "recovery_code": codes[3]}
    )
    second = client_for().post(
        VERIFY, {"mfa_token": _login(staff).json()["mfa_token"], "recovery_code": codes[3]}
    )

    assert first.status_code == 200
    assert second.status_code == 401
    assert StaticToken.objects.filter(device__user=staff).count() == 9


# --- disable and reset -----------------------------------------------------------------------


def _signed_in_with_factor(user, codes, index=0):
    ticket = _login(user).json()["mfa_token"]
    return client_for().post(VERIFY, {"mfa_token": ticket, "recovery_code": codes[index]}).json()


def test_disable_needs_password_and_code_and_ends_the_sessions(staff):
    secret, codes = mfa_turn_on(staff)
    tokens = _signed_in_with_factor(staff, codes)
    client = _bearer(tokens["access"])

    wrong = client.post(DISABLE, {"current_password": DEFAULT_PASSWORD, "code": _wrong_code(secret)})
    assert wrong.status_code == 400
    assert "code" in wrong.json()
    assert client.get(ME).json()["mfa_enabled"] is True

    response = client.post(
        DISABLE, {"current_password": DEFAULT_PASSWORD, "code": totp_code(secret, steps_ahead=1)}
    )

    assert response.status_code == 204
    staff.refresh_from_db()
    assert staff.mfa_enabled is False
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert _audited(AuditAction.MFA_DISABLE, staff) == 1
    assert _audited(AuditAction.MFA_FAILED, staff) == 1
    assert client.get(ME).status_code == 401
    assert client_for().post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 401
    assert "access" in _login(staff).json()


def test_a_ceo_resets_someone_elses_factor_but_never_their_own(staff):
    ceo = CEOFactory()
    _, codes = mfa_turn_on(staff)
    _, ceo_codes = mfa_turn_on(ceo)
    staff_tokens = _signed_in_with_factor(staff, codes)
    ceo_client = _bearer(_signed_in_with_factor(ceo, ceo_codes)["access"])

    own = ceo_client.delete(f"/api/v1/users/{ceo.pk}/mfa/")
    by_salesperson = _bearer(staff_tokens["access"]).delete(f"/api/v1/users/{ceo.pk}/mfa/")
    response = ceo_client.delete(f"/api/v1/users/{staff.pk}/mfa/")

    assert own.status_code == 403
    assert by_salesperson.status_code == 403
    ceo.refresh_from_db()
    assert ceo.mfa_enabled is True
    assert response.status_code == 204
    staff.refresh_from_db()
    assert staff.mfa_enabled is False
    entry = AuditEntry.objects.get(action=AuditAction.MFA_RESET)
    assert (entry.actor, entry.entity_id) == (ceo, str(staff.pk))
    assert _bearer(staff_tokens["access"]).get(ME).status_code == 401
    assert "access" in _login(staff).json()


# --- STAFF_REQUIRE_2FA -----------------------------------------------------------------------


@pytest.fixture
def required(settings):
    settings.STAFF_REQUIRE_2FA = True


def test_required_staff_without_a_factor_get_only_a_setup_ticket(required, staff):
    response = _login(staff)

    assert response.status_code == 403
    assert response.json()["code"] == "mfa_setup_required"
    ticket = response.json()["mfa_token"]
    # The ticket is no access token and cannot verify before the factor is on.
    assert _bearer(ticket).get(ME).status_code == 401
    assert client_for().post(VERIFY, {"mfa_token": ticket, "code": "123456"}).status_code == 401
    browser = Client()
    admin = browser.post("/admin/login/", {"username": "sam", "password": DEFAULT_PASSWORD})
    assert admin.status_code == 200
    assert "two-factor" in admin.content.decode()
    assert "_auth_user_id" not in browser.session

    secret = client_for().post(SETUP, {"mfa_token": ticket}).json()["secret"]
    codes = client_for().post(CONFIRM, {"mfa_token": ticket, "code": totp_code(secret)})
    verified = client_for().post(VERIFY, {"mfa_token": ticket, "code": totp_code(secret, steps_ahead=1)})

    assert codes.status_code == 200
    assert verified.status_code == 200
    assert _bearer(verified.json()["access"]).get(ME).json()["mfa_enabled"] is True


def test_required_does_not_touch_customers_and_a_verify_ticket_cannot_set_up(required, staff):
    assert "access" in _tokens(CustomerFactory())
    ticket = _login(staff).json()["mfa_token"]
    mfa_turn_on(staff)
    verify_ticket = _login(staff).json()["mfa_token"]

    assert client_for().post(SETUP, {"mfa_token": verify_ticket}).status_code == 401
    # The setup ticket is of no use once the factor is on, except to verify.
    assert client_for().post(SETUP, {"mfa_token": ticket}).status_code == 409


# --- the admin ---------------------------------------------------------------------------------


def _admin_password_step(browser, username="sam"):
    return browser.post(
        "/admin/login/?next=/admin/orders/order/", {"username": username, "password": DEFAULT_PASSWORD}
    )


def test_the_admin_asks_for_the_code_before_it_starts_a_session(staff):
    secret, _ = mfa_turn_on(staff)
    browser = Client()

    first = _admin_password_step(browser)

    assert first.status_code == 302
    assert first["Location"] == "/admin/login/code/"
    assert "_auth_user_id" not in browser.session
    assert browser.get("/admin/").status_code == 302
    page = browser.get("/admin/login/code/")
    assert page.status_code == 200
    assert 'name="code"' in page.content.decode()

    wrong = browser.post("/admin/login/code/", {"code": _wrong_code(secret)})
    assert wrong.status_code == 200
    assert "The code is not correct." in wrong.content.decode()
    assert "_auth_user_id" not in browser.session
    assert _audited(AuditAction.MFA_FAILED, staff) == 1

    right = browser.post("/admin/login/code/", {"code": totp_code(secret, steps_ahead=1)})

    assert right.status_code == 302
    assert right["Location"] == "/admin/orders/order/"
    assert browser.session["_auth_user_id"] == str(staff.pk)
    assert browser.get("/admin/").status_code == 200
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN, actor=staff).count() == 1


def test_the_admin_takes_a_recovery_code_once(staff):
    _, codes = mfa_turn_on(staff)
    browser, other = Client(), Client()
    _admin_password_step(browser)
    _admin_password_step(other)

    signed_in = browser.post("/admin/login/code/", {"recovery_code": codes[0]})
    refused = other.post("/admin/login/code/", {"recovery_code": codes[0]})

    assert signed_in.status_code == 302
    assert refused.status_code == 200
    assert "_auth_user_id" not in other.session


def test_the_admin_code_step_without_a_password_step_goes_back_to_the_login():
    response = Client().get("/admin/login/code/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_admin_code_step_is_under_the_budget(strict, staff):
    secret, _ = mfa_turn_on(staff)
    browser = Client()
    _admin_password_step(browser)
    for _ in range(3):
        browser.post("/admin/login/code/", {"code": _wrong_code(secret)})

    refused = browser.post("/admin/login/code/", {"code": totp_code(secret, steps_ahead=1)})

    assert "Too many failed sign-in attempts" in refused.content.decode()
    assert "_auth_user_id" not in browser.session


@pytest.mark.parametrize("ticket", ["é", ":", "a:b:c", "x" * 5000, "eyJ.eyJ.x", "1:2", "W10:1:abc"])
def test_a_malformed_ticket_is_refused_never_a_server_error(ticket):
    for path, body in (
        (VERIFY, {"mfa_token": ticket, "recovery_code": "abcde-fghij"}),
        (SETUP, {"mfa_token": ticket}),
        (CONFIRM, {"mfa_token": ticket, "code": "123456"}),
    ):
        response = client_for().post(path, body)
        assert response.status_code in (400, 401), (path, response.status_code)
    assert not TOTPDevice.objects.exists()


def test_a_reset_of_someone_without_a_factor_changes_nothing(ceo_client, staff):
    tokens = _tokens(staff)

    response = ceo_client.delete(f"/api/v1/users/{staff.pk}/mfa/")

    assert response.status_code == 204
    assert _bearer(tokens["access"]).get(ME).status_code == 200
    assert not AuditEntry.objects.filter(action=AuditAction.MFA_RESET).exists()
