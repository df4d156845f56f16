import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.roles import Role
from audit.models import AuditAction, AuditEntry
from conftest import client_for

User = get_user_model()

pytestmark = pytest.mark.django_db

USERS = "/admin/accounts/user/"


def _admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _change_form(user, **changes) -> dict:
    form = {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role.value,
        "is_active": "on" if user.is_active else "",
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value != ""}


def _admin_models(response) -> set[str]:
    return {
        f"{app['app_label']}.{model['object_name']}"
        for app in response.context["app_list"]
        for model in app["models"]
    }


def test_ceo_sees_users_with_their_roles(ceo, salesperson, customer):
    response = _admin_client(ceo).get(USERS)

    assert response.status_code == 200
    content = response.content.decode()
    assert salesperson.username in content
    assert "Salesperson" in content
    assert "Customer" in content


def test_ceo_filters_users_by_role(ceo, salesperson, customer):
    response = _admin_client(ceo).get(USERS, {"role": "salesperson"})

    assert list(response.context["cl"].result_list) == [salesperson]


def test_user_changelist_queries_do_not_grow_with_rows(ceo, django_assert_max_num_queries):
    from accounts.tests.factories import CustomerFactory

    CustomerFactory.create_batch(30)
    client = _admin_client(ceo)

    with django_assert_max_num_queries(12):
        client.get(USERS)


def test_ceo_changes_a_role_through_the_service(ceo, salesperson):
    response = _admin_client(ceo).post(
        f"{USERS}{salesperson.pk}/change/", _change_form(salesperson, role="customer")
    )

    assert response.status_code == 302
    changed = User.objects.get(pk=salesperson.pk)
    assert changed.role == Role.CUSTOMER
    assert not changed.is_staff
    entry = AuditEntry.objects.get(action=AuditAction.ROLE_CHANGE)
    assert (entry.actor_id, entry.changes) == (ceo.pk, {"role": ["salesperson", "customer"]})


def test_ceo_bans_a_user_and_the_change_is_audited(ceo, customer):
    response = _admin_client(ceo).post(f"{USERS}{customer.pk}/change/", _change_form(customer, is_active=""))

    assert response.status_code == 302
    assert not User.objects.get(pk=customer.pk).is_active
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE)
    assert entry.changes == {"is_active": [True, False]}


@pytest.mark.parametrize("changes", [{"role": "salesperson"}, {"is_active": ""}])
def test_ceo_cannot_demote_or_ban_themself_in_the_admin(ceo, changes):
    response = _admin_client(ceo).post(f"{USERS}{ceo.pk}/change/", _change_form(ceo, **changes))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    unchanged = User.objects.get(pk=ceo.pk)
    assert (unchanged.role, unchanged.is_active) == (Role.CEO, True)
    assert not AuditEntry.objects.exists()


def test_admin_refuses_an_email_taken_in_another_case(ceo, customer, other_customer):
    response = _admin_client(ceo).post(
        f"{USERS}{customer.pk}/change/", _change_form(customer, email=other_customer.email.upper())
    )

    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert not AuditEntry.objects.exists()


def test_ceo_adds_a_user_with_a_role(ceo):
    response = _admin_client(ceo).post(
        f"{USERS}add/",
        {
            "username": "sally",
            "email": "sally@example.com",
            "first_name": "Sally",
            "last_name": "Seller",
            "role": "salesperson",
            "password1": "Harvest-Sale-2026",
            "password2": "Harvest-Sale-2026",
        },
    )

    assert response.status_code == 302
    sally = User.objects.get(username="sally")
    assert (sally.role, sally.is_staff) == (Role.SALESPERSON, True)
    assert sally.check_password("Harvest-Sale-2026")
    assert AuditEntry.objects.get(action=AuditAction.CREATE, entity_id=str(sally.pk)).actor_id == ceo.pk


def test_ceo_sets_a_password_through_the_service(ceo, customer):
    response = _admin_client(ceo).post(
        f"{USERS}{customer.pk}/password/",
        {"password1": "Harvest-Sale-2026", "password2": "Harvest-Sale-2026"},
    )

    assert response.status_code == 302
    assert User.objects.get(pk=customer.pk).check_password("Harvest-Sale-2026")
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE)
    assert (entry.actor_id, entry.changes) == (ceo.pk, {"password": ["***", "***"]})


def test_salesperson_logs_in_but_cannot_manage_users_or_see_the_audit_log(salesperson, customer):
    client = _admin_client(salesperson)

    index = client.get("/admin/")

    assert index.status_code == 200
    visible = _admin_models(index)
    assert "catalog.Product" in visible, "the salesperson's own admin pages are listed"
    assert "accounts.User" not in visible
    assert "audit.AuditEntry" not in visible
    assert "auth.Group" not in visible
    assert client.get(USERS).status_code == 403
    assert client.get(f"{USERS}{customer.pk}/change/").status_code == 403
    assert client.post(f"{USERS}{customer.pk}/change/", _change_form(customer, role="ceo")).status_code == 403
    assert User.objects.get(pk=customer.pk).role == Role.CUSTOMER
    assert client.get("/admin/audit/auditentry/").status_code == 403


def test_ceo_sees_users_groups_and_audit_in_the_admin(ceo):
    visible = _admin_models(_admin_client(ceo).get("/admin/"))

    assert {"accounts.User", "auth.Group", "audit.AuditEntry"} <= visible


def test_customer_cannot_log_in_to_the_admin(customer):
    response = _admin_client(customer).get("/admin/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_users_are_deactivated_not_deleted_in_the_admin(ceo):
    # given a customer the CEO created in the admin (no orders, no audit entries as actor)
    from accounts.tests.factories import CustomerFactory

    doomed = CustomerFactory()
    client = _admin_client(ceo)
    entries = AuditEntry.objects.count()

    # when the CEO tries the delete page and the "delete selected" action
    page = client.post(f"{USERS}{doomed.pk}/delete/", {"post": "yes"})
    action = client.post(USERS, {"action": "delete_selected", "_selected_action": [doomed.pk], "post": "yes"})

    # then nothing is deleted behind the services' back (ban with is_active instead)
    assert page.status_code == 403
    assert b"delete_selected" not in client.get(USERS).content
    assert action.status_code in (200, 302)
    assert User.objects.filter(pk=doomed.pk).exists()
    assert AuditEntry.objects.count() == entries


def test_role_groups_are_read_only_in_the_admin(ceo):
    # given the role groups the data migration made
    from django.contrib.auth.models import Group

    group = Group.objects.get(name="Salesperson")
    permissions = set(group.permissions.values_list("pk", flat=True))
    client = _admin_client(ceo)

    # when the CEO tries to change, add or delete a group in the admin
    change = client.post(f"/admin/auth/group/{group.pk}/change/", {"name": "Sales", "permissions": []})
    add = client.post("/admin/auth/group/add/", {"name": "Rogue"})
    delete = client.post(f"/admin/auth/group/{group.pk}/delete/", {"post": "yes"})

    # then the CEO may read them, but roles change in code (accounts.roles) and via the user's role
    assert client.get(f"/admin/auth/group/{group.pk}/change/").status_code == 200
    assert (change.status_code, add.status_code, delete.status_code) == (403, 403, 403)
    group.refresh_from_db()
    assert group.name == "Salesperson"
    assert set(group.permissions.values_list("pk", flat=True)) == permissions
    assert not Group.objects.filter(name="Rogue").exists()


def test_token_pages_never_show_a_token_and_no_revocation_can_be_undone(ceo, customer):
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

    from accounts import services

    tokens = services.tokens_issue(user=customer)
    services.tokens_revoke(user=customer)
    outstanding = OutstandingToken.objects.get(user=customer)
    blacklisted = BlacklistedToken.objects.get(token=outstanding)
    client = _admin_client(ceo)

    pages = [
        "/admin/token_blacklist/outstandingtoken/",
        f"/admin/token_blacklist/outstandingtoken/{outstanding.pk}/change/",
        "/admin/token_blacklist/blacklistedtoken/",
        f"/admin/token_blacklist/blacklistedtoken/{blacklisted.pk}/change/",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert tokens["refresh"] not in response.content.decode(), page
        assert outstanding.jti in response.content.decode(), page

    deleted = client.post(
        f"/admin/token_blacklist/blacklistedtoken/{blacklisted.pk}/delete/", {"post": "yes"}
    )
    bulk = client.post(
        "/admin/token_blacklist/blacklistedtoken/",
        {"action": "delete_selected", "_selected_action": [blacklisted.pk], "post": "yes"},
    )

    assert deleted.status_code == 403
    assert bulk.status_code in (200, 302)
    assert BlacklistedToken.objects.filter(pk=blacklisted.pk).exists()
    refreshed = client_for().post("/api/v1/auth/refresh/", {"refresh": tokens["refresh"]})
    assert refreshed.status_code == 401
