from rest_framework import serializers

from salesbackend.serializers import ExactlyOneOf, StrictCharField

from .models import ADJUSTMENT_REASONS, Stock, StockMovement


class StockSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku")
    product = serializers.IntegerField(source="product_id", help_text="Product id.")
    name = serializers.CharField(source="product.name", help_text="Product name.")
    is_low = serializers.BooleanField(help_text="quantity <= low_stock_threshold")

    class Meta:
        model = Stock
        fields = ("sku", "product", "name", "quantity", "low_stock_threshold", "is_low", "updated_at")
        read_only_fields = fields


class StockAdjustSerializer(ExactlyOneOf):
    """A stock change: units added or removed (delta), or the new quantity on hand."""

    delta = serializers.IntegerField(
        required=False, help_text="Units to add (negative to remove); give it or `quantity`, not both."
    )
    quantity = serializers.IntegerField(required=False, min_value=0, help_text="New quantity on hand.")
    reason = serializers.ChoiceField(choices=[(reason.value, reason.label) for reason in ADJUSTMENT_REASONS])
    note = StrictCharField(required=False, allow_blank=True, max_length=500, default="")

    def validate_delta(self, delta: int) -> int:
        if delta == 0:
            raise serializers.ValidationError("A change of 0 changes nothing.")
        return delta

    one_of = ("delta", "quantity")
    one_of_message = "Give either delta or quantity, not both."


class StockMovementSerializer(serializers.ModelSerializer):
    order = serializers.IntegerField(source="order_id", read_only=True, allow_null=True)

    class Meta:
        model = StockMovement
        fields = (
            "id",
            "delta",
            "quantity_before",
            "quantity_after",
            "reason",
            "order",
            "actor",
            "note",
            "created_at",
        )
        read_only_fields = fields
