from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from .roles import Role

User = get_user_model()


def users_with_permission(codename: str) -> QuerySet:
    """Active users whose role grants `codename` ("app_label.codename"), and superusers."""
    app_label, perm = codename.split(".", 1)
    granted = Q(groups__permissions__codename=perm, groups__permissions__content_type__app_label=app_label)
    return User.objects.filter(Q(is_superuser=True) | granted, is_active=True).distinct()


def user_emails_with_permission(codename: str) -> list[str]:
    return sorted(set(users_with_permission(codename).exclude(email="").values_list("email", flat=True)))


def user_list(*, viewer) -> QuerySet:
    """Users `viewer` may list: everyone for user managers, otherwise customers only.
    Groups are prefetched, since every row shows its role."""
    users = User.objects.prefetch_related("groups").order_by("id")
    if viewer.has_perm("accounts.manage_users"):
        return users
    return users_with_role(Role.CUSTOMER, users)


def users_with_role(role: Role, users: QuerySet | None = None) -> QuerySet:
    """Filter `users` to one role; superusers count as CEOs."""
    users = User.objects.all() if users is None else users
    in_group = Q(groups__name=Role(role).group_name)
    if Role(role) == Role.CEO:
        return users.filter(in_group | Q(is_superuser=True)).distinct()
    return users.filter(in_group, is_superuser=False)
