import pytest
from django.contrib.auth import get_user_model

from accounts.tests.factories import DEFAULT_PASSWORD, CEOFactory, CustomerFactory, SalespersonFactory
from audit.models import AuditAction, AuditEntry
from conftest import client_for

User = get_user_model()

ME = "/api/v1/users/me/"
USERS = "/api/v1/users/"

pytestmark = pytest.mark.django_db


def _detail(user) -> str:
    return f"{USERS}{user.pk}/"


def _state() -> list[tuple]:
    """Everything a user-management request could change, to prove a refusal changed nothing."""
    users = [
        (u.pk, u.username, u.email, u.first_name, u.last_name, u.is_active, u.is_staff, u.password, u.role)
        for u in User.objects.prefetch_related("groups").order_by("pk")
    ]
    return [*users, AuditEntry.objects.count()]


NEW_USER = {
    "username": "newbie",
    "email": "newbie@example.com",
    "password": "Spring-Sale-2026",
    "first_name": "New",
    "last_name": "Bie",
    "role": "salesperson",
}

# (method, path builder, body, expected status per role)
MATRIX = [
    ("get", lambda users: ME, None, {"anonymous": 401, "customer": 200, "salesperson": 200, "ceo": 200}),
    (
        "patch",
        lambda users: ME,
        {"first_name": "Changed"},
        {"anonymous": 401, "customer": 200, "salesperson": 200, "ceo": 200},
    ),
    ("delete", lambda users: ME, None, {"anonymous": 401, "customer": 204, "salesperson": 403, "ceo": 403}),
    ("get", lambda users: USERS, None, {"anonymous": 401, "customer": 403, "salesperson": 200, "ceo": 200}),
    (
        "post",
        lambda users: USERS,
        NEW_USER,
        {"anonymous": 401, "customer": 403, "salesperson": 403, "ceo": 201},
    ),
    (
        "get",
        lambda users: _detail(users["target"]),
        None,
        {"anonymous": 401, "customer": 403, "salesperson": 403, "ceo": 200},
    ),
    (
        "patch",
        lambda users: _detail(users["target"]),
        {"is_active": False, "role": "salesperson", "first_name": "Banned"},
        {"anonymous": 401, "customer": 403, "salesperson": 403, "ceo": 200},
    ),
    (
        "put",
        lambda users: _detail(users["target"]),
        {"first_name": "Put"},
        {"anonymous": 401, "customer": 403, "salesperson": 403, "ceo": 405},
    ),
    (
        "delete",
        lambda users: _detail(users["target"]),
        None,
        {"anonymous": 401, "customer": 403, "salesperson": 403, "ceo": 405},
    ),
]


@pytest.mark.parametrize("role", ["anonymous", "customer", "salesperson", "ceo"])
@pytest.mark.parametrize(
    ("method", "path_of", "body", "expected"),
    MATRIX,
    ids=[f"{method.upper()} {path_of({'target': User(pk=0)})}" for method, path_of, _, _ in MATRIX],
)
def test_users_endpoints_by_role(
    role_clients, customer, salesperson, ceo, role, method, path_of, body, expected
):
    target = CustomerFactory()
    before = _state()

    response = getattr(role_clients[role], method)(path_of({"target": target}), body)

    assert response.status_code == expected[role], response.content
    if response.status_code >= 400:
        assert set(response.json()) == {"detail", "code"}
        assert _state() == before, "a refused request changed something"
    elif method != "get":
        assert _state() != before


def test_salesperson_lists_customers_only(salesperson_client, customer, salesperson, ceo):
    response = salesperson_client.get(USERS)

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [customer.pk]
    assert response.json()["results"][0]["role"] == "customer"


def test_salesperson_cannot_list_staff_even_with_a_role_filter(salesperson_client, salesperson, ceo):
    response = salesperson_client.get(USERS, {"role": "ceo"})

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_ceo_lists_everyone_with_their_roles(ceo_client, customer, salesperson, ceo):
    superuser = User.objects.create_superuser("root", "root@example.com", "Root-Pass-2026")

    response = ceo_client.get(USERS)

    roles = {row["id"]: row["role"] for row in response.json()["results"]}
    assert roles == {
        customer.pk: "customer",
        salesperson.pk: "salesperson",
        ceo.pk: "ceo",
        superuser.pk: "ceo",
    }


@pytest.mark.parametrize(
    ("query", "expected_usernames"),
    [
        ({"role": "salesperson"}, {"sam"}),
        ({"role": "ceo"}, {"boss"}),
        ({"role": "customer"}, {"carla", "gone"}),
        ({"is_active": "false"}, {"gone"}),
        ({"search": "CARLA"}, {"carla"}),
        ({"search": "sam@shop"}, {"sam"}),
        ({"search": "Lovelace"}, {"boss"}),
        ({"role": "customer", "is_active": "true"}, {"carla"}),
    ],
)
def test_user_list_filters(query, expected_usernames):
    ceo = CEOFactory(username="boss", last_name="Lovelace")
    SalespersonFactory(username="sam", email="sam@shop.example")
    CustomerFactory(username="carla")
    CustomerFactory(username="gone", is_active=False)

    response = client_for(ceo).get(USERS, query)

    assert response.status_code == 200
    assert {row["username"] for row in response.json()["results"]} == expected_usernames


def test_user_list_rejects_an_unknown_role(ceo_client):
    response = ceo_client.get(USERS, {"role": "pirate"})

    assert response.status_code == 400


def test_user_list_rejects_an_is_active_that_is_not_a_boolean(ceo_client):
    response = ceo_client.get(USERS, {"is_active": "maybe"})

    assert response.status_code == 400
    assert "is_active" in response.json()


@pytest.mark.parametrize("rows", [3, 30])
def test_user_list_queries_do_not_grow_with_rows(ceo, django_assert_max_num_queries, rows):
    CustomerFactory.create_batch(rows)
    client = client_for(ceo)

    with django_assert_max_num_queries(7):
        response = client.get(USERS, {"page_size": 100})

    assert response.json()["count"] == rows + 1


def test_user_list_is_paginated(ceo_client):
    CustomerFactory.create_batch(3)

    response = ceo_client.get(USERS, {"page_size": 2})

    assert response.json()["count"] == 4
    assert len(response.json()["results"]) == 2
    assert response.json()["next"] is not None


# --- /users/me/ -------------------------------------------------------------------------


def test_me_shows_the_user_representation(customer_client, customer):
    response = customer_client.get(ME)

    assert response.json() == {
        "id": customer.pk,
        "username": customer.username,
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "role": "customer",
        "is_active": True,
        "date_joined": customer.date_joined.isoformat().replace("+00:00", "Z"),
        "mfa_enabled": False,
    }


def test_me_patch_changes_names_and_email_but_never_role_or_flags(customer_client, customer):
    response = customer_client.patch(
        ME,
        {
            "first_name": "Grace",
            "email": "grace@example.com",
            "current_password": DEFAULT_PASSWORD,
            "role": "ceo",
            "is_staff": True,
            "is_superuser": True,
            "is_active": False,
        },
    )

    assert response.status_code == 200
    assert response.json()["first_name"] == "Grace"
    assert response.json()["role"] == "customer"
    customer.refresh_from_db()
    assert (customer.email, customer.is_staff, customer.is_superuser, customer.is_active) == (
        "grace@example.com",
        False,
        False,
        True,
    )
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, entity_id=str(customer.pk))
    assert entry.actor_id == customer.pk
    assert entry.changes["first_name"][1] == "Grace"


def test_me_patch_refuses_an_email_taken_in_another_case(customer_client, customer, other_customer):
    response = customer_client.patch(
        ME, {"email": other_customer.email.upper(), "current_password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 400
    assert "email" in response.json()
    customer.refresh_from_db()
    assert customer.email != other_customer.email


def test_me_password_change_needs_the_current_password(customer_client, customer):
    response = customer_client.patch(ME, {"password": "Autumn-Sale-2026", "current_password": "wrong"})

    assert response.status_code == 400
    assert "current_password" in response.json()
    customer.refresh_from_db()
    assert not customer.check_password("Autumn-Sale-2026")


def test_me_password_change_applies_validators(customer_client, customer):
    response = customer_client.patch(ME, {"password": "123", "current_password": "Sales-Pass-2026!"})

    assert response.status_code == 400
    assert "password" in response.json()


def test_me_password_change_revokes_old_tokens(anon_client, customer):
    tokens = anon_client.post(
        "/api/v1/auth/login/", {"username": customer.username, "password": "Sales-Pass-2026!"}
    ).json()
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

    response = client.patch(ME, {"password": "Autumn-Sale-2026", "current_password": "Sales-Pass-2026!"})

    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.check_password("Autumn-Sale-2026")
    assert client.get(ME).status_code == 401
    assert anon_client.post("/api/v1/auth/refresh/", {"refresh": tokens["refresh"]}).status_code == 401
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, entity_id=str(customer.pk))
    assert entry.changes == {"password": ["***", "***"]}


def test_customer_closes_their_account(customer_client, customer):
    response = customer_client.delete(ME)

    assert response.status_code == 204
    customer.refresh_from_db()
    assert not customer.is_active
    assert customer_client.get(ME).status_code == 401
    assert AuditEntry.objects.filter(
        action=AuditAction.UPDATE, entity_id=str(customer.pk), changes={"is_active": [True, False]}
    ).exists()


# --- /users/ and /users/{id}/ by the CEO --------------------------------------------------


def test_ceo_creates_a_user_of_any_role(ceo_client, ceo):
    response = ceo_client.post(USERS, NEW_USER)

    assert response.status_code == 201
    assert response.json()["role"] == "salesperson"
    created = User.objects.get(username="newbie")
    assert created.is_staff
    assert created.check_password("Spring-Sale-2026")
    entry = AuditEntry.objects.get(action=AuditAction.CREATE, entity_id=str(created.pk))
    assert entry.actor_id == ceo.pk
    assert entry.changes["role"] == [None, "salesperson"]


def test_ceo_create_refuses_duplicates(ceo_client, customer):
    response = ceo_client.post(USERS, {**NEW_USER, "username": customer.username.upper()})

    assert response.status_code == 400
    assert "username" in response.json()


def test_ceo_reads_one_user(ceo_client, salesperson):
    response = ceo_client.get(_detail(salesperson))

    assert response.status_code == 200
    assert response.json()["role"] == "salesperson"


def test_unknown_user_is_404(ceo_client):
    assert ceo_client.get(f"{USERS}999999/").status_code == 404
    assert ceo_client.get(f"{USERS}abc/").status_code == 404


def test_role_change_is_audited_as_role_change(ceo_client, ceo, salesperson):
    response = ceo_client.patch(_detail(salesperson), {"role": "customer"})

    assert response.status_code == 200
    assert response.json()["role"] == "customer"
    salesperson.refresh_from_db()
    assert not salesperson.is_staff
    entry = AuditEntry.objects.get(action=AuditAction.ROLE_CHANGE)
    assert (entry.actor_id, entry.entity_id) == (ceo.pk, str(salesperson.pk))
    assert entry.changes == {"role": ["salesperson", "customer"]}


def test_promotion_to_ceo_grants_user_management(ceo_client, customer):
    ceo_client.patch(_detail(customer), {"role": "ceo"})

    promoted = client_for(User.objects.get(pk=customer.pk))
    assert promoted.get(USERS).status_code == 200


def test_unban_restores_login(ceo_client):
    banned = CustomerFactory(is_active=False)

    response = ceo_client.patch(_detail(banned), {"is_active": True})

    assert response.status_code == 200
    login = client_for(None).post(
        "/api/v1/auth/login/", {"username": banned.username, "password": "Sales-Pass-2026!"}
    )
    assert login.status_code == 200


def test_ceo_patch_cannot_change_email_or_flags(ceo_client, customer):
    original_email = customer.email

    response = ceo_client.patch(_detail(customer), {"email": "other@example.com", "is_staff": True})

    assert response.status_code == 200
    customer.refresh_from_db()
    assert (customer.email, customer.is_staff) == (original_email, False)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"role": "salesperson"}, "own_role"),
        ({"role": "customer"}, "own_role"),
        ({"is_active": False}, "own_account"),
    ],
)
def test_ceo_cannot_demote_or_ban_themself(ceo_client, ceo, body, code):
    before = _state()

    response = ceo_client.patch(_detail(ceo), body)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert _state() == before


def test_ceo_may_rename_themself(ceo_client, ceo):
    response = ceo_client.patch(_detail(ceo), {"first_name": "Ada", "role": "ceo", "is_active": True})

    assert response.status_code == 200
    assert response.json()["first_name"] == "Ada"
    assert not AuditEntry.objects.filter(action=AuditAction.ROLE_CHANGE).exists()
