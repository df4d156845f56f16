"""Translation only, for returns: request bodies to service arguments, returns to JSON."""

from rest_framework import serializers

from inventory.models import Location
from salesbackend.rendering import timestamp_text
from salesbackend.serializers import SlugLookupField, StrictCharField

from .models import (
    RefundReason,
    Return,
    ReturnCondition,
    ReturnDisposition,
    ReturnLine,
    ReturnStatus,
    ReturnStatusChange,
)
from .selectors import manages_orders
from .serializers import OrderLineInputSerializer, _changed_by


def _note_for(change: ReturnStatusChange, viewer) -> str:
    """Staff read every note; a customer reads their own and the reason for a rejection (they
    are e-mailed it), never what staff wrote for each other (approval, receipt)."""
    shown = manages_orders(viewer) or change.by_id == viewer.pk or change.to_status == ReturnStatus.REJECTED
    return change.note if shown else ""


class ReturnLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReturnLine
        fields = ["product", "sku", "quantity", "received", "condition", "disposition"]


class ReturnHistorySerializer(serializers.ModelSerializer):
    status = serializers.CharField(source="to_status")
    at = serializers.DateTimeField(source="created_at")
    by = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()

    class Meta:
        model = ReturnStatusChange
        fields = ["status", "at", "by", "note"]

    def get_by(self, change) -> int | None:
        return _changed_by(change, self.context["request"].user)

    def get_note(self, change) -> str:
        return _note_for(change, self.context["request"].user)


class ReturnSerializer(serializers.ModelSerializer):
    """`{id, number, order, customer, status, reason, note, items, refund, history, created_at}`;
    a customer sees who acted only where it was themself (as on orders), and only the notes
    meant for them (`_note_for`)."""

    items = ReturnLineSerializer(many=True, source="lines", read_only=True)
    history = ReturnHistorySerializer(many=True, read_only=True)

    class Meta:
        model = Return
        fields = [
            "id",
            "number",
            "order",
            "customer",
            "status",
            "reason",
            "note",
            "items",
            "refund",
            "history",
            "created_at",
        ]
        read_only_fields = fields

    def to_representation(self, returned: Return) -> dict:
        viewer = self.context["request"].user
        return {
            "id": returned.pk,
            "number": returned.number,
            "order": returned.order_id,
            "customer": returned.customer_id,
            "status": returned.status,
            "reason": returned.reason,
            "note": returned.note,
            "items": [
                {
                    "product": line.product_id,
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "received": line.received,
                    "condition": line.condition,
                    "disposition": line.disposition,
                }
                for line in returned.lines.all()
            ],
            "refund": returned.refund_id,
            "history": [
                {
                    "status": change.to_status,
                    "at": timestamp_text(change.created_at),
                    "by": _changed_by(change, viewer),
                    "note": _note_for(change, viewer),
                }
                for change in returned.history.all()
            ],
            "created_at": timestamp_text(returned.created_at),
        }


class ReturnRequestInputSerializer(serializers.Serializer):
    items = OrderLineInputSerializer(many=True, allow_empty=False, max_length=200)
    reason = serializers.ChoiceField(choices=RefundReason.choices)
    note = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")


class ReturnNoteInputSerializer(serializers.Serializer):
    note = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")


class ReturnRejectInputSerializer(serializers.Serializer):
    note = StrictCharField(max_length=2000, help_text="Why: the customer is told.")


class ReturnReceiveLineInputSerializer(OrderLineInputSerializer):
    condition = serializers.ChoiceField(choices=ReturnCondition.choices)
    disposition = serializers.ChoiceField(choices=ReturnDisposition.choices)


class ReturnReceiveInputSerializer(serializers.Serializer):
    items = ReturnReceiveLineInputSerializer(many=True, allow_empty=False, max_length=200)
    note = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")
    location = SlugLookupField(
        slug_field="code",
        queryset=Location.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Restock at this location (code); default: where the units were sold from.",
    )
