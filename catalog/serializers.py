"""Translation between JSON and the catalog. Customers and staff get different product
serializers, so cost fields are absent (not null) for customers."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from salesbackend.limits import MAX_STOCK_QUANTITY
from salesbackend.rendering import money_text, timestamp_text
from salesbackend.serializers import (
    SlugLookupField,
    StrictModelSerializer,
    StrictSlugField,
)

from .models import Category, Product, SalesChannel, unit_margin


class CategoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ("id", "name", "slug")


class CategoryNodeSerializer(serializers.Serializer):
    """One category of the tree (a `selectors.CategoryNode`)."""

    id = serializers.IntegerField(source="category.pk")
    name = serializers.CharField(source="category.name")
    slug = serializers.SlugField(source="category.slug")
    description = serializers.CharField(source="category.description")
    parent = serializers.SerializerMethodField(help_text="Slug of the parent category; null for a root.")
    depth = serializers.IntegerField(help_text="0 for a root category, 1 for its children, and so on.")
    path = serializers.CharField(help_text='Names from the root down, e.g. "Electronics / Phones".')
    is_active = serializers.BooleanField(source="category.is_active")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_parent(self, node) -> str | None:
        return node.ancestors[-1].slug if node.ancestors else None


class CategoryDetailSerializer(CategoryNodeSerializer):
    ancestors = CategoryRefSerializer(many=True, help_text="From the root down to the parent.")
    children = CategoryRefSerializer(many=True)


class CategorySlugField(SlugLookupField):
    """A category by its slug, or null."""

    def __init__(self, **kwargs):
        super().__init__(
            slug_field="slug", queryset=Category.objects.all(), allow_null=True, required=False, **kwargs
        )


class CategoryInputSerializer(StrictModelSerializer):
    slug = StrictSlugField(max_length=140, required=False, help_text="Made from the name when omitted.")
    parent = CategorySlugField()

    class Meta:
        model = Category
        fields = ("name", "slug", "description", "parent", "is_active")

    def validate_slug(self, slug: str) -> str:
        others = Category.objects.filter(slug=slug)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError("A category with this slug already exists.")
        return slug


class ProductSerializer(serializers.ModelSerializer):
    """What every user sees of a product."""

    category = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    image_url = serializers.CharField(read_only=True, help_text="An http(s) URL, or empty.")
    stock = serializers.IntegerField(source="stock_quantity", read_only=True, help_text="Quantity on hand.")
    rating = serializers.SerializerMethodField(help_text="Average review rating (1-5); null without reviews.")

    class Meta:
        model = Product
        fields = (
            "id",
            "sku",
            "name",
            "description",
            "price",
            "status",
            "category",
            "image_url",
            "stock",
            "rating",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_rating(self, product) -> float | None:
        return _rating_number(product.rating)


class StaffProductSerializer(ProductSerializer):
    """Staff additionally see what a product costs us."""

    margin = serializers.SerializerMethodField(
        help_text="Gross margin per unit as a fraction of the price: (price - cost_price) / price."
    )

    class Meta(ProductSerializer.Meta):
        fields = (*ProductSerializer.Meta.fields, "cost_price", "margin", "created_by")
        read_only_fields = fields

    # A cost far above the price makes a margin of many whole units below zero.
    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=4, allow_null=True))
    def get_margin(self, product) -> str | None:
        return _margin_text(product.margin)


def _margin_text(margin: Decimal | None) -> str | None:
    return None if margin is None else str(margin.quantize(Decimal("0.0001")))


def _rating_number(rating: float | None) -> float | None:
    return None if rating is None else round(float(rating), 2)


class ProductRows:
    """Products as `values()` rows, rendered to exactly the JSON of ProductSerializer (customers)
    or StaffProductSerializer (staff) without building model instances or running DRF's
    per-field machinery: a page of 60 products costs a fraction of the time. The two
    serializers stay the documented shape; a test checks both paths give the same JSON."""

    # JSON field -> values() column, in the representation's order.
    COLUMNS = {
        "id": "id",
        "sku": "sku",
        "name": "name",
        "description": "description",
        "price": "price",
        "status": "status",
        "category": "category__slug",
        "image_url": "image_url",
        "stock": "stock_quantity",
        "rating": "rating",
        "created_at": "created_at",
        "updated_at": "updated_at",
    }
    STAFF_COLUMNS = {"cost_price": "cost_price", "created_by": "created_by_id"}

    def __init__(self, *, staff: bool):
        self.staff = staff

    def columns(self) -> list[str]:
        return [*self.COLUMNS.values(), *(self.STAFF_COLUMNS.values() if self.staff else ())]

    def to_json(self, rows) -> list[dict]:
        return [self._one(row) for row in rows]

    def _one(self, row: dict) -> dict:
        price = row["price"]
        product = {
            "id": row["id"],
            "sku": row["sku"],
            "name": row["name"],
            "description": row["description"],
            "price": money_text(price),
            "status": row["status"],
            "category": row["category__slug"],
            "image_url": row["image_url"],
            "stock": row["stock_quantity"],
            "rating": _rating_number(row["rating"]),
            "created_at": timestamp_text(row["created_at"]),
            "updated_at": timestamp_text(row["updated_at"]),
        }
        if self.staff:
            product["cost_price"] = money_text(row["cost_price"])
            product["margin"] = _margin_text(unit_margin(price, row["cost_price"]))
            product["created_by"] = row["created_by_id"]
        return product


class ProductInputSerializer(StrictModelSerializer):
    category = CategorySlugField()

    class Meta:
        model = Product
        fields = ("sku", "name", "description", "price", "cost_price", "status", "category", "image_url")


class ProductCreateSerializer(ProductInputSerializer):
    stock = serializers.IntegerField(
        min_value=0,
        max_value=MAX_STOCK_QUANTITY,
        required=False,
        default=0,
        help_text="Opening quantity on hand (a restock movement).",
    )

    class Meta(ProductInputSerializer.Meta):
        fields = (*ProductInputSerializer.Meta.fields, "stock")


class ProductImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8) or XLSX with a header row.")
    # A multipart form field: "true" and "false" arrive as text.
    dry_run = serializers.BooleanField(default=False, help_text="Validate and count, write nothing.")


class ProductImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    dry_run = serializers.BooleanField()


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(required=False, help_text="Import: the spreadsheet row (header = 1).")
    index = serializers.IntegerField(
        required=False, allow_null=True, help_text="Bulk: the item's position (0-based); null for the body."
    )
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class RowErrorsSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = RowErrorSerializer(many=True, help_text="The first 100 errors.")
    error_count = serializers.IntegerField(help_text="How many errors there are in all.")


class ChannelSerializer(StrictModelSerializer):
    class Meta:
        model = SalesChannel
        fields = ("code", "name", "is_active")


class ChannelUpdateSerializer(ChannelSerializer):
    class Meta(ChannelSerializer.Meta):
        read_only_fields = ("code",)
