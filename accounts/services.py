"""Writes on users: creation with a role, profile and role changes, deactivation."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from audit.models import AuditAction
from audit.services import changes_between, record, snapshot

from .roles import Role

User = get_user_model()

PROFILE_FIELDS = ("username", "email", "first_name", "last_name", "is_active")


def _set_role(user, role: Role) -> None:
    user.groups.set([Group.objects.get(name=Role(role).group_name)])
    user.is_staff = Role(role) != Role.CUSTOMER
    user.save(update_fields=["is_staff"])
    user.__dict__.pop("role", None)


def tokens_revoke(*, user) -> None:
    """Blacklist every outstanding refresh token of `user` (logout everywhere)."""
    outstanding = OutstandingToken.objects.filter(user=user).exclude(blacklistedtoken__isnull=False)
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    password: str | None,
    role: Role = Role.CUSTOMER,
    first_name: str = "",
    last_name: str = "",
    actor=None,
) -> Any:
    """Create a user with exactly one role. `actor` is None for self-registration."""
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    _set_role(user, role)
    record(
        actor=actor or user,
        action=AuditAction.CREATE,
        entity=user,
        changes={
            **{f: [None, v] for f, v in snapshot(user, PROFILE_FIELDS).items()},
            "role": [None, user.role],
        },
    )
    return user


@transaction.atomic
def user_update(*, user, actor, data: dict[str, Any]) -> Any:
    """Change profile fields, password, role or active flag; each kind of change is audited.

    Callers validate who may change what; this enforces the rules that hold everywhere:
    nobody demotes or deactivates themself.
    """
    from salesbackend.exceptions import ApplicationError

    role = data.pop("role", None)
    password = data.pop("password", None)
    if actor is not None and actor.pk == user.pk:
        if role is not None and Role(role) != user.role:
            raise ApplicationError("You cannot change your own role.", code="own_role")
        if data.get("is_active") is False:
            raise ApplicationError("You cannot deactivate your own account.", code="own_account")

    before = snapshot(user, PROFILE_FIELDS)
    for field, value in data.items():
        setattr(user, field, value)
    if password:
        user.set_password(password)
    user.save()
    changes = changes_between(before, snapshot(user, PROFILE_FIELDS))
    if password:
        changes["password"] = ["***", "***"]
    if changes:
        record(actor=actor, action=AuditAction.UPDATE, entity=user, changes=changes)
    if before["is_active"] and not user.is_active:
        tokens_revoke(user=user)

    if role is not None and Role(role) != user.role:
        old_role = user.role
        _set_role(user, Role(role))
        record(
            actor=actor, action=AuditAction.ROLE_CHANGE, entity=user, changes={"role": [old_role, user.role]}
        )
    return user
