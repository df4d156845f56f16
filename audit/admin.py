from django.contrib import admin

from salesbackend.admin import ReadOnlyAdminMixin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit log, read-only for everyone (and on PostgreSQL a trigger refuses changes anyway).
    Only roles holding `audit.view_auditentry` (the CEO) see it."""

    list_display = ("created_at", "action", "actor", "entity_type", "entity_id", "entity_repr", "ip")
    list_filter = (
        "action",
        ("actor", admin.RelatedOnlyFieldListFilter),
        "entity_type",
        ("created_at", admin.DateFieldListFilter),
    )
    search_fields = ("entity_repr", "entity_id", "actor__username")
    date_hierarchy = "created_at"
    list_select_related = ("actor",)
    readonly_fields = (
        "created_at",
        "actor",
        "action",
        "entity_type",
        "entity_id",
        "entity_repr",
        "changes",
        "ip",
    )
