import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import services
from accounts.roles import Role
from accounts.tests.factories import CEOFactory
from audit.models import AuditAction, AuditEntry

User = get_user_model()

pytestmark = pytest.mark.django_db


def test_demoting_a_superuser_takes_the_superuser_flag_too(ceo):
    root = User.objects.create_superuser("root", "root@example.com", "Root-Pass-2026")
    assert root.role == Role.CEO

    services.user_update(user=root, actor=ceo, data={"role": Role.SALESPERSON})

    root.refresh_from_db()
    assert (root.role, root.is_superuser, root.is_staff) == (Role.SALESPERSON, False, True)
    assert AuditEntry.objects.get(action=AuditAction.ROLE_CHANGE).changes == {"role": ["ceo", "salesperson"]}


def test_a_ceo_may_demote_another_ceo(ceo):
    other = CEOFactory()

    services.user_update(user=other, actor=ceo, data={"role": Role.CUSTOMER})

    assert User.objects.get(pk=other.pk).role == Role.CUSTOMER


def test_user_update_refuses_fields_it_does_not_manage(ceo, customer):
    with pytest.raises(ValueError, match="is_superuser"):
        services.user_update(user=customer, actor=ceo, data={"is_superuser": True})


def test_user_create_stores_the_email_with_a_normalised_domain():
    user = services.user_create(
        username="dora", email="Dora@EXAMPLE.com", password="Winter-Sale-2026", role=Role.CUSTOMER
    )

    assert user.email == "Dora@example.com"


def test_user_create_without_password_cannot_log_in():
    user = services.user_create(username="nopass", email="nopass@example.com", password=None)

    assert not user.has_usable_password()


def test_user_create_rolls_back_on_a_weak_password():
    with pytest.raises(ValidationError) as error:
        services.user_create(username="weak", email="weak@example.com", password="password")

    assert "password" in error.value.message_dict
    assert not User.objects.filter(username="weak").exists()
    assert not AuditEntry.objects.exists()


def test_closing_an_account_revokes_every_refresh_token(customer):
    refresh_tokens = [RefreshToken.for_user(customer) for _ in range(2)]

    services.user_deactivate_own_account(user=customer)

    assert OutstandingToken.objects.filter(user=customer, blacklistedtoken__isnull=True).count() == 0
    for token in refresh_tokens:
        with pytest.raises(TokenError, match="blacklisted"):
            RefreshToken(str(token))
