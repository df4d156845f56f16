"""Translation only: request bodies to service arguments, orders and reviews to JSON."""

import copy
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.validators import RegexValidator
from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from catalog.models import Category, SalesChannel
from inventory.models import Location
from salesbackend.filters import MAX_ID
from salesbackend.rendering import money_text, timestamp_text
from salesbackend.serializers import (
    ExactlyOneOf,
    SlugLookupField,
    StrictBooleanField,
    StrictCharField,
    StrictModelSerializer,
)

from .models import (
    DiscountCode,
    DiscountKind,
    Order,
    OrderItem,
    OrderStatus,
    OrderStatusChange,
    Refund,
    RefundLine,
    RefundReason,
    Return,
    Review,
)
from .pricing import MAX_AMOUNT
from .selectors import manages_orders
from .services import MAX_LINE_QUANTITY


class StrictIntegerField(serializers.IntegerField):
    """An integer in the JSON sense: 3, not "3", 3.0 or true."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class CountryCodeField(CountryField):
    """An ISO 3166-1 alpha-2 code (any case); names and other code systems are refused."""

    def to_internal_value(self, data):
        if not (isinstance(data, str) and len(data) == 2 and data.isalpha()):  # not "12" (numeric)
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data.upper())

    def __deepcopy__(self, memo):
        # DRF copies every declared field for each serializer it makes, and this one would
        # rebuild its 250 choices every time (a tenth of an order's CPU). They never change:
        # the copy shares them; binding it to its serializer sets only the copy's own names.
        return copy.copy(self)


class AddressSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200)
    line1 = StrictCharField(max_length=200)
    line2 = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    city = StrictCharField(max_length=100)
    postal_code = StrictCharField(max_length=20)
    country = CountryCodeField()


class OrderLineInputSerializer(ExactlyOneOf):
    """An order line: a product by id or by sku, and a quantity."""

    product = StrictIntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="The product's id; give it or `sku`, not both.",
    )
    sku = StrictCharField(required=False, max_length=64, help_text="The product's SKU; or give `product`.")
    quantity = StrictIntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)

    one_of = ("product", "sku")
    one_of_message = "Give either a product id or a sku."


class OrderPlaceInputSerializer(serializers.Serializer):
    customer = StrictIntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="Staff only: the id of the customer the order is placed for.",
    )
    channel = StrictCharField(max_length=32, default="web")
    items = OrderLineInputSerializer(many=True, allow_empty=False, max_length=200)
    shipping_address = AddressSerializer()
    billing_address = AddressSerializer(required=False, allow_null=True, default=None)
    note = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")
    discount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        help_text="Staff placing an order for a customer only; 0 <= discount <= subtotal.",
    )
    discount_code = StrictCharField(
        max_length=32,
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        help_text="A discount code (case-insensitive); not together with `discount`.",
    )

    def validate(self, attrs):
        user = self.context["request"].user
        customer_id = attrs.get("customer")
        if not manages_orders(user):
            if customer_id is not None and customer_id != user.pk:
                # The same answer for another user's id and for a missing one: no enumeration.
                raise serializers.ValidationError({"customer": ["You can only place orders for yourself."]})
            attrs["customer"] = user
            return attrs
        if customer_id is None:
            raise serializers.ValidationError(
                {"customer": ["Staff place orders for a customer: give its id."]}
            )
        customer = get_user_model().objects.filter(pk=customer_id, is_active=True).first()
        if customer is None:
            raise serializers.ValidationError({"customer": [f"No active user with id {customer_id}."]})
        attrs["customer"] = customer
        return attrs


class OrderUpdateInputSerializer(serializers.Serializer):
    """A pending order's changes: only the fields given change."""

    items = OrderLineInputSerializer(many=True, allow_empty=False, max_length=200, required=False)
    shipping_address = AddressSerializer(required=False)
    billing_address = AddressSerializer(required=False, allow_null=True)
    note = StrictCharField(max_length=2000, required=False, allow_blank=True)
    discount_code = StrictCharField(
        max_length=32,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="A code (case-insensitive); empty or null removes the order's code.",
    )


class OrderStatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    note = StrictCharField(max_length=500, required=False, allow_blank=True, default="")


class OrderCancelInputSerializer(serializers.Serializer):
    note = StrictCharField(max_length=500, required=False, allow_blank=True, default="")


class OrderItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderItem
        fields = ["product", "sku", "name", "quantity", "unit_price", "line_total"]

    def to_representation(self, item: OrderItem) -> dict:
        """Staff also see where the units came from; customers never see a location."""
        data = super().to_representation(item)
        request = self.context.get("request")
        if request is not None and manages_orders(request.user):
            data["allocations"] = _allocations(item)
        return data


def _allocations(item: OrderItem) -> list[dict]:
    return [{"location": a.location.code, "quantity": a.quantity} for a in item.allocations.all()]


class StatusChangeSerializer(serializers.ModelSerializer):
    status = serializers.CharField(source="to_status")
    at = serializers.DateTimeField(source="created_at")
    by = serializers.SerializerMethodField()

    class Meta:
        model = OrderStatusChange
        fields = ["status", "at", "by", "note"]

    def get_by(self, change) -> int | None:
        return _changed_by(change, self.context["request"].user)


def _changed_by(change: OrderStatusChange | Refund, viewer) -> int | None:
    """Who made the change; a customer sees only their own id, never a staff member's."""
    return change.by_id if manages_orders(viewer) or change.by_id == viewer.pk else None


class RefundLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = RefundLine
        fields = ["product", "sku", "quantity", "amount"]


class RefundSerializer(serializers.ModelSerializer):
    items = RefundLineSerializer(many=True, source="lines", read_only=True)
    by = serializers.SerializerMethodField()

    class Meta:
        model = Refund
        fields = ["id", "items", "amount", "tax", "restocked", "reason", "note", "by", "created_at"]
        read_only_fields = fields

    def get_by(self, refund) -> int | None:
        return _changed_by(refund, self.context["request"].user)

    def to_representation(self, refund: Refund) -> dict:
        """Written out like the order's, so an order's refunds cost nothing to render."""
        return {
            "id": refund.pk,
            "items": [
                {
                    "product": line.product_id,
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "amount": money_text(line.amount),
                }
                for line in refund.lines.all()
            ],
            "amount": money_text(refund.amount),
            "tax": money_text(refund.tax),
            "restocked": refund.restocked,
            "reason": refund.reason,
            "note": refund.note,
            "by": self.get_by(refund),
            "created_at": timestamp_text(refund.created_at),
        }


class RefundLineInputSerializer(OrderLineInputSerializer):
    pass


class RefundInputSerializer(serializers.Serializer):
    items = RefundLineInputSerializer(many=True, allow_empty=False, max_length=200)
    restock = StrictBooleanField(default=True)
    location = SlugLookupField(
        slug_field="code",
        queryset=Location.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Restock at this location (code); default: where the units were sold from.",
    )
    reason = serializers.ChoiceField(choices=RefundReason.choices)
    note = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")


class OrderReturnSerializer(serializers.ModelSerializer):
    """A return as its order lists it; `/returns/{id}/` has the rest."""

    class Meta:
        model = Return
        fields = ["id", "number", "status"]


class OrderSerializer(serializers.ModelSerializer):
    channel = serializers.SlugRelatedField(slug_field="code", read_only=True)
    discount_code = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    items = OrderItemSerializer(many=True, read_only=True)
    status_history = StatusChangeSerializer(many=True, read_only=True)
    refunds = RefundSerializer(many=True, read_only=True)
    refunded_total = serializers.SerializerMethodField()
    returns = OrderReturnSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "status",
            "customer",
            "channel",
            "items",
            "subtotal",
            "tax",
            "shipping",
            "discount",
            "discount_code",
            "total",
            "currency",
            "shipping_address",
            "billing_address",
            "created_at",
            "updated_at",
            "status_history",
            "refunds",
            "refunded_total",
            "returns",
        ]
        read_only_fields = fields

    def get_refunded_total(self, order: Order) -> str:
        return money_text(sum((refund.amount for refund in order.refunds.all()), Decimal("0.00")))

    def to_representation(self, order: Order) -> dict:
        """The fields above, written out: DRF builds a ModelSerializer's fields again for every
        instance, which dominated placing an order. A test holds this equal to DRF's own
        rendering of the same fields."""
        viewer = self.context["request"].user
        staff = manages_orders(viewer)
        return {
            "id": order.pk,
            "number": order.number,
            "status": order.status,
            "customer": order.customer_id,
            "channel": order.channel.code,
            "items": [
                {
                    "product": item.product_id,
                    "sku": item.sku,
                    "name": item.name,
                    "quantity": item.quantity,
                    "unit_price": money_text(item.unit_price),
                    "line_total": money_text(item.line_total),
                    **({"allocations": _allocations(item)} if staff else {}),
                }
                for item in order.items.all()
            ],
            "subtotal": money_text(order.subtotal),
            "tax": money_text(order.tax),
            "shipping": money_text(order.shipping),
            "discount": money_text(order.discount),
            "discount_code": order.discount_code.code if order.discount_code_id else None,
            "total": money_text(order.total),
            "currency": order.currency,
            "shipping_address": order.shipping_address,
            "billing_address": order.billing_address,
            "created_at": timestamp_text(order.created_at),
            "updated_at": timestamp_text(order.updated_at),
            "status_history": [
                {
                    "status": change.to_status,
                    "at": timestamp_text(change.created_at),
                    "by": _changed_by(change, viewer),
                    "note": change.note,
                }
                for change in order.status_history.all()
            ],
            "refunds": [
                RefundSerializer(refund, context=self.context).data for refund in order.refunds.all()
            ],
            "refunded_total": self.get_refunded_total(order),
            "returns": [
                {"id": returned.pk, "number": returned.number, "status": returned.status}
                for returned in order.returns.all()
            ],
        }


class ReviewInputSerializer(serializers.Serializer):
    rating = StrictIntegerField(min_value=1, max_value=5)
    title = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    body = StrictCharField(max_length=5000, required=False, allow_blank=True, default="")


class ReviewSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = ["id", "product", "author", "rating", "title", "body", "created_at"]
        read_only_fields = fields

    def get_author(self, review) -> str:
        """A display name, not an account: first name and last initial."""
        customer = review.customer
        initial = f" {customer.last_name[:1]}." if customer.last_name else ""
        return f"{customer.first_name or 'Customer'}{initial}"


CODE_PATTERN = RegexValidator(r"^[A-Za-z0-9_-]+$", "Letters, digits, '-' and '_' only.")


class DiscountCodeSerializer(StrictModelSerializer):
    """A discount code as staff read and write it; `uses` and `created_at` are read-only."""

    code = StrictCharField(max_length=32, validators=[CODE_PATTERN])
    kind = serializers.ChoiceField(choices=DiscountKind.choices)
    value = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        help_text="percent: more than 0, at most 100; fixed: a money amount more than 0.",
    )
    min_subtotal = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.00"),
        max_value=MAX_AMOUNT,
        required=False,
        help_text="Of the eligible lines.",
    )
    max_uses = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    max_uses_per_customer = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True
    )
    channels = SlugLookupField(
        slug_field="code",
        many=True,
        required=False,
        queryset=SalesChannel.objects.all(),
        help_text="Empty: all.",
    )
    categories = SlugLookupField(
        slug_field="slug",
        many=True,
        required=False,
        queryset=Category.objects.all(),
        help_text="Empty: all; a category includes its sub-categories.",
    )
    uses = serializers.IntegerField(
        read_only=True, help_text="Orders that carry it, cancelled ones not counted."
    )

    class Meta:
        model = DiscountCode
        fields = (
            "code",
            "description",
            "kind",
            "value",
            "min_subtotal",
            "starts_at",
            "ends_at",
            "max_uses",
            "max_uses_per_customer",
            "channels",
            "categories",
            "is_active",
            "uses",
            "created_at",
        )
        read_only_fields = ("uses", "created_at")
