from drf_spectacular.utils import extend_schema
from rest_framework import viewsets

from . import selectors
from .filters import AuditEntryFilter
from .permissions import CanViewAudit
from .serializers import AuditEntryOutputSerializer


@extend_schema(tags=["audit"])
class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit trail, for the CEO. Entries are immutable: writes answer 405."""

    permission_classes = (CanViewAudit,)
    serializer_class = AuditEntryOutputSerializer
    filterset_class = AuditEntryFilter
    ordering_fields = ("created_at", "id")
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.audit_entry_list()
