import django_filters

from salesbackend.filters import IdFilter, UTCDateTimeFilter

from .models import AuditAction, AuditEntry


class AuditEntryFilter(django_filters.FilterSet):
    actor = IdFilter(field_name="actor_id", help_text="User id of the actor.")
    action = django_filters.ChoiceFilter(choices=AuditAction.choices)
    entity_type = django_filters.CharFilter(help_text='"app_label.model", e.g. "orders.order".')
    entity_id = django_filters.CharFilter()
    created_after = UTCDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UTCDateTimeFilter(field_name="created_at", lookup_expr="lte")

    class Meta:
        model = AuditEntry
        fields = ["actor", "action", "entity_type", "entity_id", "created_after", "created_before"]
