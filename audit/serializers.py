from rest_framework import serializers

from .models import AuditAction


class AuditEntryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    actor = serializers.IntegerField(source="actor_id", read_only=True, allow_null=True)
    action = serializers.ChoiceField(choices=AuditAction.choices, read_only=True)
    entity_type = serializers.CharField(read_only=True)
    entity_id = serializers.CharField(read_only=True)
    entity_repr = serializers.CharField(read_only=True)
    changes = serializers.JSONField(read_only=True)
    ip = serializers.IPAddressField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
