"""Report alerts over the API. They only translate."""

from rest_framework import serializers

from analytics.models import ReportAlert
from catalog.models import Category, SalesChannel
from salesbackend.serializers import SlugLookupField, StrictModelSerializer

VALUE_HELP = (
    "Decimal string with 4 places: money for revenue and average_order_value, a whole number "
    "for orders, a fraction for margin and refund_rate (0.2500 = 25 %)."
)


class ReportAlertSerializer(StrictModelSerializer):
    channel = SlugLookupField(
        slug_field="code", queryset=SalesChannel.objects.all(), allow_null=True, required=False
    )
    category = SlugLookupField(
        slug_field="slug", queryset=Category.objects.all(), allow_null=True, required=False
    )
    value = serializers.DecimalField(max_digits=14, decimal_places=4, help_text=VALUE_HELP)

    class Meta:
        model = ReportAlert
        fields = (
            "id",
            "user",
            "name",
            "metric",
            "period",
            "condition",
            "value",
            "channel",
            "category",
            "is_active",
            "last_triggered_at",
        )
        read_only_fields = ("id", "user", "last_triggered_at")


class AlertCheckSerializer(serializers.Serializer):
    value = serializers.DecimalField(
        max_digits=None,
        decimal_places=4,
        allow_null=True,
        help_text=VALUE_HELP + " Null when there is nothing to judge (no revenue, orders or sales).",
    )
    triggered = serializers.BooleanField()
