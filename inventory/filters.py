import django_filters
from django.db.models import F, Q, QuerySet

from salesbackend.filters import BooleanFilter

from .models import Stock


class StockFilter(django_filters.FilterSet):
    low = BooleanFilter(method="filter_low", help_text="true: quantity at or below the low-stock threshold.")
    search = django_filters.CharFilter(method="filter_search", help_text="Part of the SKU or product name.")

    class Meta:
        model = Stock
        fields = ("low", "search")

    def filter_low(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        low = Q(quantity__lte=F("low_stock_threshold"))
        return queryset.filter(low) if value else queryset.exclude(low)

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(product__sku__icontains=value) | Q(product__name__icontains=value))
