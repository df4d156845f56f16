from collections.abc import Callable

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from rest_framework.filters import OrderingFilter

from .models import Category, Product, ProductStatus
from .permissions import is_staff_user
from .selectors import CategoryTree, category_descendant_ids


def _filterable_categories(request) -> dict[str, Category]:
    """The categories the user may filter by, by slug, from the shared tree (no query): a
    customer's hidden category is as unknown as a missing one (400), so the filter cannot
    reveal that it exists."""
    tree = CategoryTree.current()
    hidden = set() if request is None or is_staff_user(request.user) else tree.hidden_ids()
    return {c.slug: c for c in tree.by_id.values() if c.pk not in hidden}


class CategorySlugField(forms.Field):
    default_error_messages = {
        "invalid_choice": "Select a valid choice. That choice is not one of the available choices."
    }

    def __init__(self, *, categories: Callable[[], dict[str, Category]], **kwargs):
        super().__init__(**kwargs)
        self.categories = categories

    def to_python(self, value) -> Category | None:
        if value in self.empty_values:
            return None
        category = self.categories().get(str(value).strip())
        if category is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return category


class CategorySlugFilter(django_filters.Filter):
    """A category by slug, checked against what the asking user may see."""

    field_class = CategorySlugField

    @property
    def field(self):
        self.extra["categories"] = lambda: _filterable_categories(self.parent.request)
        return super().field


class ProductFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search", help_text="Words in the SKU, name or description."
    )
    category = CategorySlugFilter(
        method="filter_category",
        help_text="Category slug; products of all its sub-categories are included.",
    )
    min_price = django_filters.NumberFilter(field_name="price", lookup_expr="gte")
    max_price = django_filters.NumberFilter(field_name="price", lookup_expr="lte")
    status = django_filters.ChoiceFilter(
        choices=ProductStatus.choices, method="filter_status", help_text="Staff only; ignored for customers."
    )

    class Meta:
        model = Product
        fields = ("search", "category", "min_price", "max_price", "status")

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split():
            queryset = queryset.filter(
                Q(sku__icontains=word) | Q(name__icontains=word) | Q(description__icontains=word)
            )
        return queryset

    def filter_category(self, queryset: QuerySet, name: str, category: Category) -> QuerySet:
        return queryset.filter(category_id__in=category_descendant_ids(category=category))

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Customers only ever see active products; the filter is a staff tool.
        return queryset.filter(status=value) if is_staff_user(self.request.user) else queryset


class StableOrderingFilter(OrderingFilter):
    """Ordering by the requested fields, then by id, so pages never repeat or skip rows."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not {"id", "-id", "pk", "-pk"} & set(ordering):
            return [*ordering, "id"]
        return ordering
