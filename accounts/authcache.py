"""The user behind a JWT, with role and permissions, from the cache: no query on a hit.

Every API request authenticates, so the user row, its role and its permission codenames are
kept in the cache and checked against generation numbers that every change bumps, in the same
round trip (one MGET):

- `auth:gen:<id>`, bumped when that user, its groups or its own permissions change;
- `auth:gen`, bumped when any group's permissions or a group itself change.

A cached entry carries the generations it was read under; any difference is a miss. Bumps run
at once and again after commit, so a reader that loaded the old row just before a ban commits
stores it under a generation that is already stale: a banned user's or a changed password's
tokens stop working with the next request. Without a working cache every request reads the
database, as it would with no cache at all.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_save

from salesbackend.versions import cached_by_versions, version_bump_on_commit

from .roles import Role

User = get_user_model()

GLOBAL_GENERATION_KEY = "auth:gen"
ENTRY_SECONDS = 60 * 60


def _user_generation_key(user_id: Any) -> str:
    return f"auth:gen:{user_id}"


def _load(user_id: Any) -> Any:
    """The user with `_perm_cache` and `role` filled in, from the database; None if missing."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return None
    if user.is_superuser:
        permissions = Permission.objects.values_list("content_type__app_label", "codename")
        group_names: list[str] = []
    else:
        rows = list(
            Group.objects.filter(user=user).values_list(
                "name", "permissions__content_type__app_label", "permissions__codename"
            )
        )
        group_names = sorted({name for name, _, _ in rows})
        permissions = [(app, codename) for _, app, codename in rows if codename is not None]
        permissions += list(user.user_permissions.values_list("content_type__app_label", "codename"))
    user._perm_cache = {f"{app}.{codename}" for app, codename in permissions}
    user.__dict__["role"] = Role.CEO if user.is_superuser else _role_of(group_names)
    return user


def _role_of(group_names: list[str]) -> Role | None:
    return next((role for name in group_names if (role := Role.from_group_name(name))), None)


def _to_entry(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    role = user.__dict__.get("role")
    return {
        "fields": {field.attname: getattr(user, field.attname) for field in User._meta.concrete_fields},
        "permissions": sorted(user._perm_cache),
        "role": None if role is None else role.value,
    }


def _from_entry(entry: dict[str, Any]) -> Any:
    fields = entry["fields"]
    user = User.from_db("default", list(fields), list(fields.values()))
    user._perm_cache = set(entry["permissions"])
    user.__dict__["role"] = None if entry["role"] is None else Role(entry["role"])
    return user


def user_for_request(user_id: Any) -> Any:
    """The active or inactive user `user_id` (None when there is none), ready for `has_perm`
    and `role` without further queries."""
    entry = cached_by_versions(
        f"auth:user:{user_id}",
        [GLOBAL_GENERATION_KEY, _user_generation_key(user_id)],
        lambda: _to_entry(_load(user_id)),
        ENTRY_SECONDS,
    )
    return None if entry is None else _from_entry(entry)


def forget_user(user_id: Any) -> None:
    """Any change to a user: its next request reads the database again."""
    version_bump_on_commit(_user_generation_key(user_id), also_now=True)


def forget_everyone() -> None:
    """A change to what a group grants: every user's next request reads the database again."""
    version_bump_on_commit(GLOBAL_GENERATION_KEY, also_now=True)


def _user_changed(sender, instance, **kwargs) -> None:
    forget_user(instance.pk)


def _user_relations_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if isinstance(instance, User):
        forget_user(instance.pk)
    elif pk_set:  # group.user_set.add(...) and the like
        for user_id in pk_set:
            forget_user(user_id)
    else:  # a group or permission cleared of all its users
        forget_everyone()


def _grants_changed(sender, **kwargs) -> None:
    if kwargs.get("action", "post_").startswith("post_"):
        forget_everyone()


def connect_signals() -> None:
    """Cache invalidation only: whichever door changes a user or a role, the cache follows."""
    post_save.connect(_user_changed, sender=User, dispatch_uid="authcache-user-save")
    post_delete.connect(_user_changed, sender=User, dispatch_uid="authcache-user-delete")
    m2m_changed.connect(_user_relations_changed, sender=User.groups.through, dispatch_uid="authcache-groups")
    m2m_changed.connect(
        _user_relations_changed, sender=User.user_permissions.through, dispatch_uid="authcache-user-perms"
    )
    m2m_changed.connect(
        _grants_changed, sender=Group.permissions.through, dispatch_uid="authcache-group-perms"
    )
    for model in (Group, Permission):
        post_save.connect(_grants_changed, sender=model, dispatch_uid=f"authcache-{model.__name__}-save")
        post_delete.connect(_grants_changed, sender=model, dispatch_uid=f"authcache-{model.__name__}-delete")
