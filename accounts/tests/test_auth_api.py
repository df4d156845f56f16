import base64
import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from accounts import services
from accounts.roles import Role
from accounts.tests.factories import DEFAULT_PASSWORD, CustomerFactory
from audit.models import AuditAction, AuditEntry
from conftest import client_for

User = get_user_model()

REGISTER = "/api/v1/auth/register/"
LOGIN = "/api/v1/auth/login/"
REFRESH = "/api/v1/auth/refresh/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/users/me/"

pytestmark = pytest.mark.django_db


def _login(client, login, password=DEFAULT_PASSWORD, field="username"):
    return client.post(LOGIN, {field: login, "password": password})


def _bearer(client, access):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _b64_decode(segment: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


# --- register ---------------------------------------------------------------------------


def test_register_creates_a_customer_with_tokens(anon_client):
    response = anon_client.post(
        REGISTER,
        {
            "username": "ann",
            "email": "ann@example.com",
            "password": "Winter-Sale-2026",
            "first_name": "Ann",
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"user", "access", "refresh"}
    assert body["user"]["username"] == "ann"
    assert body["user"]["role"] == "customer"
    assert set(body["user"]) == {
        "id",
        "username",
        "email",
        "first_name",
        "last_name",
        "role",
        "is_active",
        "date_joined",
        "mfa_enabled",
    }
    me = _bearer(anon_client, body["access"]).get(ME)
    assert me.status_code == 200
    assert me.json()["username"] == "ann"
    entry = AuditEntry.objects.get(action=AuditAction.CREATE, entity_type="accounts.user")
    assert entry.actor_id == body["user"]["id"]
    assert entry.ip == "127.0.0.1"


def test_register_ignores_privilege_fields(anon_client):
    response = anon_client.post(
        REGISTER,
        {
            "username": "mallory",
            "email": "mallory@example.com",
            "password": "Winter-Sale-2026",
            "role": "ceo",
            "is_staff": True,
            "is_superuser": True,
            "groups": [1, 2, 3],
        },
    )

    assert response.status_code == 201
    assert response.json()["user"]["role"] == "customer"
    user = User.objects.get(username="mallory")
    assert not user.is_staff
    assert not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [Role.CUSTOMER.group_name]


def test_register_refuses_a_duplicate_email_in_any_case(anon_client, customer):
    response = anon_client.post(
        REGISTER, {"username": "newname", "email": customer.email.upper(), "password": "Winter-Sale-2026"}
    )

    assert response.status_code == 400
    assert "email" in response.json()
    assert User.objects.filter(username="newname").count() == 0


def test_register_refuses_a_duplicate_username_in_any_case(anon_client, customer):
    response = anon_client.post(
        REGISTER,
        {"username": customer.username.upper(), "email": "new@example.com", "password": "Winter-Sale-2026"},
    )

    assert response.status_code == 400
    assert "username" in response.json()


def test_register_racing_a_duplicate_is_400_not_500(anon_client, customer, monkeypatch):
    # Given the early check was passed by both of two simultaneous sign-ups
    real_check = services.user_identity_check
    calls = []

    def check_passing_the_first_time(**kwargs):
        calls.append(kwargs)
        if len(calls) > 1:
            real_check(**kwargs)

    monkeypatch.setattr(services, "user_identity_check", check_passing_the_first_time)

    response = anon_client.post(
        REGISTER, {"username": "racer", "email": customer.email, "password": "Winter-Sale-2026"}
    )

    assert response.status_code == 400
    assert "email" in response.json()
    assert len(calls) == 2
    assert not User.objects.filter(username="racer").exists()


def test_register_applies_the_password_validators(anon_client):
    response = anon_client.post(
        REGISTER, {"username": "bob", "email": "bob@example.com", "password": "12345"}
    )

    assert response.status_code == 400
    assert "password" in response.json()
    assert not User.objects.filter(username="bob").exists()


# --- login ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "login_of"),
    [
        ("username", lambda user: user.username),
        ("username", lambda user: user.username.upper()),
        ("username", lambda user: user.email),
        ("username", lambda user: user.email.swapcase()),
        ("email", lambda user: user.email.upper()),
    ],
    ids=["username", "USERNAME", "email", "eMAIL", "email-field"],
)
def test_login_by_username_or_email_in_any_case(anon_client, customer, field, login_of):
    response = _login(anon_client, login_of(customer), field=field)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh", "user"}
    assert body["user"]["id"] == customer.pk
    assert body["user"]["role"] == "customer"
    assert _bearer(anon_client, body["access"]).get(ME).json()["id"] == customer.pk
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert (entry.actor_id, entry.entity_id, entry.ip) == (customer.pk, str(customer.pk), "127.0.0.1")
    customer.refresh_from_db()
    assert customer.last_login is not None


def test_login_with_a_wrong_password_is_401_and_audited(anon_client, customer):
    response = _login(anon_client, customer.username, password="not-the-password")

    assert response.status_code == 401
    assert response.json() == {
        "detail": "No active account found with the given credentials.",
        "code": "invalid_credentials",
    }
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert entry.actor is None
    assert entry.entity_repr == customer.username
    assert entry.ip == "127.0.0.1"
    assert not AuditEntry.objects.filter(action=AuditAction.LOGIN).exists()


def test_login_with_an_unknown_name_is_401(anon_client):
    response = _login(anon_client, "nobody")

    assert response.status_code == 401
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, entity_repr="nobody").exists()


def test_login_without_a_name_is_400(anon_client):
    response = anon_client.post(LOGIN, {"password": DEFAULT_PASSWORD})

    assert response.status_code == 400
    assert "username" in response.json()


def test_login_ignores_a_stale_token_in_the_header(anon_client, customer):
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    assert _login(anon_client, customer.username).status_code == 200


def test_malformed_json_is_a_400_json_error(anon_client):
    response = anon_client.post(LOGIN, data='{"username": "ann", ', content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "parse_error"


# --- refresh and logout -----------------------------------------------------------------


def test_refresh_rotates_and_the_old_refresh_token_is_refused(anon_client, customer):
    tokens = _login(anon_client, customer.username).json()

    rotated = anon_client.post(REFRESH, {"refresh": tokens["refresh"]})
    reused = anon_client.post(REFRESH, {"refresh": tokens["refresh"]})

    assert rotated.status_code == 200
    assert set(rotated.json()) == {"access", "refresh"}
    assert rotated.json()["refresh"] != tokens["refresh"]
    assert reused.status_code == 401
    assert reused.json()["code"] == "token_not_valid"
    assert set(reused.json()) == {"detail", "code"}
    assert anon_client.post(REFRESH, {"refresh": rotated.json()["refresh"]}).status_code == 200


def test_refresh_with_garbage_is_401(anon_client):
    response = anon_client.post(REFRESH, {"refresh": "garbage"})

    assert response.status_code == 401
    assert set(response.json()) == {"detail", "code"}


def test_logout_revokes_the_refresh_token(anon_client, customer):
    tokens = _login(anon_client, customer.username).json()
    client = _bearer(anon_client, tokens["access"])

    response = client.post(LOGOUT, {"refresh": tokens["refresh"]})

    assert response.status_code == 205
    assert client.post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 401
    assert AuditEntry.objects.filter(action=AuditAction.LOGOUT, actor=customer).exists()


def test_logout_needs_authentication(anon_client, customer):
    tokens = _login(anon_client, customer.username).json()

    response = anon_client.post(LOGOUT, {"refresh": tokens["refresh"]})

    assert response.status_code == 401
    assert anon_client.post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 200


def test_logout_cannot_revoke_someone_elses_refresh_token(anon_client, customer, other_customer):
    victim_tokens = _login(anon_client, other_customer.username).json()

    response = client_for(customer).post(LOGOUT, {"refresh": victim_tokens["refresh"]})

    assert response.status_code == 401
    assert anon_client.post(REFRESH, {"refresh": victim_tokens["refresh"]}).status_code == 200


# --- tokens -----------------------------------------------------------------------------


def test_a_tampered_token_is_401(anon_client, customer, ceo):
    header, payload, signature = str(AccessToken.for_user(customer)).split(".")
    claims = _b64_decode(payload)
    claims["user_id"] = str(ceo.pk)
    forged = f"{header}.{_b64(claims)}.{signature}"

    response = _bearer(anon_client, forged).get(ME)

    assert response.status_code == 401
    assert response.json() == {
        "detail": "Given token not valid for any token type",
        "code": "token_not_valid",
    }


def test_an_alg_none_token_is_401(anon_client, customer):
    _, payload, _ = str(AccessToken.for_user(customer)).split(".")
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}."

    response = _bearer(anon_client, unsigned).get(ME)

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_an_expired_token_is_401(anon_client, customer):
    token = AccessToken.for_user(customer)
    token.set_exp(from_time=timezone.now() - timedelta(hours=1))

    response = _bearer(anon_client, str(token)).get(ME)

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_a_refresh_token_is_not_an_access_token(anon_client, customer):
    tokens = _login(anon_client, customer.username).json()

    assert _bearer(anon_client, tokens["refresh"]).get(ME).status_code == 401


def test_no_token_is_401_json(anon_client):
    response = anon_client.get(ME)

    assert response.status_code == 401
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }


# --- banned users -----------------------------------------------------------------------


def test_a_banned_user_cannot_log_in_and_their_tokens_stop_working(anon_client, ceo_client):
    customer = CustomerFactory()
    tokens = _login(anon_client, customer.username).json()
    customer_client = client_for(None)
    _bearer(customer_client, tokens["access"])
    assert customer_client.get(ME).status_code == 200

    ban = ceo_client.patch(f"/api/v1/users/{customer.pk}/", {"is_active": False})

    assert ban.status_code == 200
    assert ban.json()["is_active"] is False
    me = customer_client.get(ME)
    assert me.status_code == 401
    assert me.json() == {"detail": "User is inactive", "code": "user_inactive"}
    assert anon_client.post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 401
    assert _login(client_for(None), customer.username).status_code == 401


# --- throttling -------------------------------------------------------------------------


def _throttle_rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"login_name": "100/min", "login_ip": "100/min", **rates},
    }


def test_login_is_throttled_per_login_name(settings, customer, other_customer):
    _throttle_rates(settings, login_name="3/min")
    attacker = client_for(None)
    for _ in range(3):
        assert _login(attacker, customer.username, password="guess").status_code == 401

    throttled = _login(attacker, customer.username.upper())

    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert "Retry-After" in throttled
    # Another account is not held back by the attack on this one.
    assert _login(attacker, other_customer.username).status_code == 200


def test_successful_logins_do_not_use_up_the_budget(settings, customer):
    _throttle_rates(settings, login_name="3/min", login_ip="3/min")
    client = client_for(None)

    responses = [_login(client, customer.username) for _ in range(6)]

    assert [r.status_code for r in responses] == [200] * 6


def test_login_is_throttled_per_client_ip(settings):
    _throttle_rates(settings, login_ip="3/min")
    users = CustomerFactory.create_batch(4)
    office = client_for(None)
    for user in users[:3]:
        assert _login(office, user.username, password="guess").status_code == 401

    response = _login(office, users[3].username)

    assert response.status_code == 429
    elsewhere = client_for(None)
    elsewhere.defaults["REMOTE_ADDR"] = "10.0.0.2"
    assert _login(elsewhere, users[3].username).status_code == 200
