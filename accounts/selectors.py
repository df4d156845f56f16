from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

User = get_user_model()


def users_with_permission(codename: str) -> QuerySet:
    """Active users whose role grants `codename` ("app_label.codename"), and superusers."""
    app_label, perm = codename.split(".", 1)
    granted = Q(groups__permissions__codename=perm, groups__permissions__content_type__app_label=app_label)
    return User.objects.filter(Q(is_superuser=True) | granted, is_active=True).distinct()


def user_emails_with_permission(codename: str) -> list[str]:
    return sorted(set(users_with_permission(codename).exclude(email="").values_list("email", flat=True)))
