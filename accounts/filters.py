import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q

from salesbackend.filters import BooleanFilter

from .roles import Role
from .selectors import users_with_role


class UserFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices, method="filter_role")
    is_active = BooleanFilter()
    search = django_filters.CharFilter(
        method="filter_search", help_text="Part of the username, e-mail, first or last name."
    )

    class Meta:
        model = get_user_model()
        fields = ["role", "is_active", "search"]

    def filter_role(self, queryset, name, value):
        return users_with_role(Role(value), queryset)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(username__icontains=value)
            | Q(email__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
        )
