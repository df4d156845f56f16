"""Issue 21: usernames are NFKC-normalised wherever they are made or looked up, so `ceo1` in
full-width letters is the same name as `ceo1` and cannot pass for a second account beside it."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from accounts.tests.factories import DEFAULT_PASSWORD, CEOFactory, CustomerFactory
from conftest import client_for

User = get_user_model()

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
LOGIN = "/api/v1/auth/login/"
USERS = "/api/v1/users/"


def full_width(name: str) -> str:
    """`ceo1` as its full-width look-alike (U+FF43 U+FF45 U+FF4F U+FF11)."""
    return "".join(chr(ord(char) + 0xFEE0) for char in name)


FULL_WIDTH_CEO1 = full_width("ceo1")


def test_a_full_width_name_collides_with_its_plain_twin_at_registration(anon_client):
    CustomerFactory(username="ceo1")
    before = User.objects.count()

    response = anon_client.post(
        REGISTER, {"username": FULL_WIDTH_CEO1, "email": "twin@example.com", "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 400
    assert response.json()["username"] == ["A user with that username already exists."]
    assert User.objects.count() == before


def test_a_full_width_name_collides_when_a_ceo_creates_a_user(ceo_client):
    CustomerFactory(username="ceo1")

    response = ceo_client.post(
        USERS,
        {
            "username": FULL_WIDTH_CEO1,
            "email": "twin@example.com",
            "password": DEFAULT_PASSWORD,
            "role": "ceo",
        },
    )

    assert response.status_code == 400
    assert "username" in response.json()
    assert not User.objects.filter(email="twin@example.com").exists()


def test_a_full_width_registration_is_stored_plain_and_signs_in_either_way(anon_client):
    response = anon_client.post(
        REGISTER, {"username": full_width("fin"), "email": "fin@example.com", "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 201
    assert response.json()["user"]["username"] == "fin"
    for login in ("fin", full_width("fin"), full_width("FIN")):
        assert anon_client.post(LOGIN, {"username": login, "password": DEFAULT_PASSWORD}).status_code == 200


def test_a_full_width_staff_name_from_the_command_signs_in_at_the_api_and_the_admin():
    call_command(
        "createuser",
        "--role",
        "salesperson",
        "--username",
        full_width("sam"),
        "--email",
        "sam@example.com",
        "--password",
        DEFAULT_PASSWORD,
    )

    user = User.objects.get(email="sam@example.com")
    assert user.username == "sam"
    api = client_for().post(LOGIN, {"username": full_width("sam"), "password": DEFAULT_PASSWORD})
    admin = Client().post(
        "/admin/login/", {"username": full_width("sam"), "password": DEFAULT_PASSWORD, "next": "/admin/"}
    )
    assert api.status_code == 200
    assert admin.status_code == 302


def test_the_admin_refuses_a_full_width_twin():
    CustomerFactory(username="ceo1")
    browser = Client()
    browser.force_login(CEOFactory())

    response = browser.post(
        "/admin/accounts/user/add/",
        {
            "username": FULL_WIDTH_CEO1,
            "email": "twin@example.com",
            "first_name": "",
            "last_name": "",
            "role": "customer",
            "password1": DEFAULT_PASSWORD,
            "password2": DEFAULT_PASSWORD,
        },
    )

    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert not User.objects.filter(email="twin@example.com").exists()


def test_full_width_and_plain_names_share_one_sign_in_budget(settings, anon_client):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"login_name": "2/min", "login_ip": "100/min"},
    }
    CustomerFactory(username="ceo1")
    for login in (FULL_WIDTH_CEO1, "ceo1"):
        assert anon_client.post(LOGIN, {"username": login, "password": "wrong"}).status_code == 401

    assert anon_client.post(LOGIN, {"username": FULL_WIDTH_CEO1, "password": "wrong"}).status_code == 429
