"""Targets over the API: the target itself, and its progress as of a day. They only translate."""

from rest_framework import serializers

from analytics.models import Target
from analytics.serializers import money, ratio
from catalog.models import Category, SalesChannel
from salesbackend.serializers import SlugLookupField, StrictModelSerializer


class TargetSerializer(StrictModelSerializer):
    channel = SlugLookupField(
        slug_field="code",
        queryset=SalesChannel.objects.all(),
        allow_null=True,
        required=False,
        help_text="Sales channel code; null: every channel.",
    )
    category = SlugLookupField(
        slug_field="slug",
        queryset=Category.objects.all(),
        allow_null=True,
        required=False,
        help_text="Category slug, with its sub-categories; null: every category.",
    )
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="What to reach over the span (money or a count), > 0."
    )

    class Meta:
        model = Target
        fields = ("id", "name", "metric", "start", "end", "channel", "category", "amount")
        read_only_fields = ("id",)


class TargetProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    metric = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    channel = serializers.CharField(allow_null=True)
    category = serializers.CharField(allow_null=True)
    amount = money()
    actual = money()
    attainment = ratio()
    expected = money()
    pace = ratio()
    projected = money(allow_null=True)
