from django.db.models import QuerySet

from .models import AuditEntry


def audit_entry_list() -> QuerySet:
    """Every entry, newest first."""
    return AuditEntry.objects.order_by("-created_at", "-id")
