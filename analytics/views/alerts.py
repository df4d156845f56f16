"""Report alerts over the API: staff's own; the CEO (who manages users) sees and changes
everyone's. Another's alert is 404 to a salesperson."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from analytics.alerts import services
from analytics.alerts.serializers import AlertCheckSerializer, ReportAlertSerializer
from analytics.models import ReportAlert
from analytics.permissions import ReportAlertPermission

from .owned import OwnedByStaffViewSet


class ReportAlertViewSet(OwnedByStaffViewSet):
    permission_classes = [ReportAlertPermission]
    serializer_class = ReportAlertSerializer
    queryset = ReportAlert.objects.none()  # for the schema; get_queryset scopes by user

    def owned_by(self, user):
        return services.report_alerts_of(user)

    def create_owned(self, *, actor, data):
        return services.report_alert_create(user=actor, actor=actor, **data)

    def update_owned(self, owned, *, actor, data):
        return services.report_alert_update(alert=owned, actor=actor, data=data)

    def delete_owned(self, owned, *, actor):
        services.report_alert_delete(alert=owned, actor=actor)

    @extend_schema(request=None, responses=AlertCheckSerializer)
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        """The alert's value now and whether its condition holds; nothing is e-mailed or recorded."""
        evaluation = services.report_alert_check(self.get_object())
        return Response(
            AlertCheckSerializer({"value": evaluation.value, "triggered": evaluation.triggered}).data
        )
