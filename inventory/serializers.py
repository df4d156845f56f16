from rest_framework import serializers

from catalog.models import SalesChannel
from salesbackend.filters import MAX_ID
from salesbackend.limits import MAX_STOCK_QUANTITY
from salesbackend.serializers import ExactlyOneOf, SlugLookupField, StrictCharField, StrictModelSerializer

from .models import ADJUSTMENT_REASONS, Location, Stock, StockMovement, Transfer, TransferLine


class StockSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku")
    product = serializers.IntegerField(source="product_id", help_text="Product id.")
    name = serializers.CharField(source="product.name", help_text="Product name.")
    is_low = serializers.BooleanField(help_text="quantity <= low_stock_threshold")
    locations = serializers.SerializerMethodField(help_text="The product's stock at each location.")

    class Meta:
        model = Stock
        fields = (
            "sku",
            "product",
            "name",
            "quantity",
            "low_stock_threshold",
            "is_low",
            "updated_at",
            "locations",
        )
        read_only_fields = fields

    def get_locations(self, stock: Stock) -> list[dict]:
        rows = stock.locations.all() if stock.pk else []
        return LocationStockSerializer(rows, many=True).data


class StockAdjustSerializer(ExactlyOneOf):
    """A stock change: units added or removed (delta), or the new quantity on hand."""

    delta = serializers.IntegerField(
        required=False, help_text="Units to add (negative to remove); give it or `quantity`, not both."
    )
    quantity = serializers.IntegerField(required=False, min_value=0, help_text="New quantity on hand.")
    reason = serializers.ChoiceField(choices=[(reason.value, reason.label) for reason in ADJUSTMENT_REASONS])
    note = StrictCharField(required=False, allow_blank=True, max_length=500, default="")
    location = SlugLookupField(
        slug_field="code",
        queryset=Location.objects.all(),
        required=False,
        help_text="Where (code); default: the product's only stocked location, else `main`.",
    )

    def validate_delta(self, delta: int) -> int:
        if delta == 0:
            raise serializers.ValidationError("A change of 0 changes nothing.")
        return delta

    one_of = ("delta", "quantity")
    one_of_message = "Give either delta or quantity, not both."


class StockMovementSerializer(serializers.ModelSerializer):
    order = serializers.IntegerField(source="order_id", read_only=True, allow_null=True)
    location = serializers.CharField(source="location.code", read_only=True)

    class Meta:
        model = StockMovement
        fields = (
            "id",
            "location",
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


class LocationSerializer(StrictModelSerializer):
    channels = SlugLookupField(
        slug_field="code",
        many=True,
        required=False,
        queryset=SalesChannel.objects.all(),
        help_text="Codes of the channels that sell from here; empty: every channel.",
    )

    class Meta:
        model = Location
        fields = ("code", "name", "kind", "is_active", "priority", "channels")


class LocationUpdateSerializer(LocationSerializer):
    class Meta(LocationSerializer.Meta):
        read_only_fields = ("code",)


class LocationQuerySerializer(serializers.Serializer):
    """`?location=CODE` on the stock list and a product's ledger: a known location or 400."""

    location = SlugLookupField(
        slug_field="code", queryset=Location.objects.all(), required=False, help_text="A location's code."
    )


class LocationStockSerializer(serializers.Serializer):
    """Stock of one product at one location."""

    location = serializers.CharField(source="location.code")
    quantity = serializers.IntegerField()
    low_stock_threshold = serializers.IntegerField()
    is_low = serializers.BooleanField()


class StockAtLocationSerializer(LocationStockSerializer):
    """A row of `GET inventory/?location=CODE`: the product's stock there."""

    sku = serializers.CharField(source="stock.product.sku")
    product = serializers.IntegerField(source="stock.product_id")
    name = serializers.CharField(source="stock.product.name")
    updated_at = serializers.DateTimeField()


class StockListRowSerializer(serializers.Serializer):
    """What `GET inventory/` answers, documented as one shape: a product's stock, or with
    `?location=` its stock at that location (`location` instead of `locations`). Not a oneOf:
    generated clients drop the model of a oneOf."""

    sku = serializers.CharField()
    product = serializers.IntegerField(help_text="Product id.")
    name = serializers.CharField(help_text="Product name.")
    quantity = serializers.IntegerField(help_text="On hand: over every location, or at `?location=`.")
    low_stock_threshold = serializers.IntegerField()
    is_low = serializers.BooleanField(help_text="quantity <= low_stock_threshold")
    updated_at = serializers.DateTimeField()
    locations = LocationStockSerializer(
        many=True, required=False, help_text="Without `?location=`: the product's stock at each location."
    )
    location = serializers.CharField(required=False, help_text="With `?location=`: that location's code.")


class TransferLineInputSerializer(ExactlyOneOf):
    """A transfer line: a product by id or by sku, and a quantity."""

    product = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="The product's id; give it or `sku`, not both.",
    )
    sku = StrictCharField(required=False, max_length=64, help_text="The product's SKU; or give `product`.")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_STOCK_QUANTITY)

    one_of = ("product", "sku")
    one_of_message = "Give either a product id or a sku."


class TransferCreateSerializer(serializers.Serializer):
    from_location = SlugLookupField(slug_field="code", queryset=Location.objects.all())
    to_location = SlugLookupField(slug_field="code", queryset=Location.objects.all())
    items = TransferLineInputSerializer(many=True, allow_empty=False, max_length=200)
    note = StrictCharField(required=False, allow_blank=True, max_length=500, default="")


class TransferReceiveSerializer(serializers.Serializer):
    items = TransferLineInputSerializer(
        many=True,
        required=False,
        allow_empty=False,
        max_length=200,
        help_text="Units that arrived, per product; default: all shipped. Shipped units not named "
        "(or fewer) are written off as `transfer_loss`.",
    )


class TransferLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)

    class Meta:
        model = TransferLine
        fields = ("product", "sku", "quantity", "received")
        read_only_fields = fields


class TransferSerializer(serializers.ModelSerializer):
    from_location = serializers.CharField(source="from_location.code", read_only=True)
    to_location = serializers.CharField(source="to_location.code", read_only=True)
    items = TransferLineSerializer(source="lines", many=True, read_only=True)

    class Meta:
        model = Transfer
        fields = (
            "id",
            "number",
            "from_location",
            "to_location",
            "status",
            "items",
            "note",
            "created_by",
            "created_at",
            "shipped_at",
            "received_at",
        )
        read_only_fields = fields
