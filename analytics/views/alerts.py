"""Report alerts over the API: staff's own; the CEO (who manages users) sees and changes
everyone's. Another's alert is 404 to a salesperson."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from analytics.alerts import services
from analytics.alerts.serializers import AlertCheckSerializer, ReportAlertSerializer
from analytics.models import ReportAlert
from analytics.permissions import ReportAlertPermission


class ReportAlertViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [ReportAlertPermission]
    serializer_class = ReportAlertSerializer
    queryset = ReportAlert.objects.none()  # for the schema; get_queryset scopes by user
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReportAlert.objects.none()
        return services.report_alerts_of(self.request.user)

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        alert = services.report_alert_create(
            user=request.user, actor=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(alert).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        alert = self.get_object()
        serializer = self.get_serializer(alert, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        alert = services.report_alert_update(alert=alert, actor=request.user, data=serializer.validated_data)
        return Response(self.get_serializer(alert).data)

    def destroy(self, request, pk=None):
        services.report_alert_delete(alert=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=AlertCheckSerializer)
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        """The alert's value now and whether its condition holds; nothing is e-mailed or recorded."""
        evaluation = services.report_alert_check(self.get_object())
        return Response(
            AlertCheckSerializer({"value": evaluation.value, "triggered": evaluation.triggered}).data
        )
