import django_filters
from django.db.models import F, Q, QuerySet

from salesbackend.filters import BooleanFilter

from .models import Location, LocationKind, LocationStock, Stock


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


class LocationStockFilter(StockFilter):
    """The same filters on the rows of one location."""

    class Meta:
        model = LocationStock
        fields = ("low", "search")

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(stock__product__sku__icontains=value) | Q(stock__product__name__icontains=value)
        )


class LocationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=LocationKind.choices)
    is_active = BooleanFilter()
    channel = django_filters.CharFilter(
        method="filter_channel",
        help_text="Locations that sell for this channel (code), those listing none included.",
    )

    class Meta:
        model = Location
        fields = ("kind", "is_active", "channel")

    def filter_channel(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(channels__code=value) | Q(channels__isnull=True)).distinct()
