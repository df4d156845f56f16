"""Targets over the API: `/api/v1/targets/` (the CEO writes, salespeople read) and their
progress as of a day at `/api/v1/analytics/targets/`."""

from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from analytics import reports
from analytics.models import Target
from analytics.permissions import TargetPermission
from analytics.targets import services
from analytics.targets.serializers import TargetProgressSerializer, TargetSerializer
from analytics.views.api import AnalyticsView


class TargetViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [TargetPermission]
    serializer_class = TargetSerializer
    queryset = Target.objects.select_related("channel", "category").order_by("start", "id")
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        target = services.target_create(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(target).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        target = self.get_object()
        serializer = self.get_serializer(target, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        target = services.target_update(target=target, actor=request.user, data=serializer.validated_data)
        return Response(self.get_serializer(target).data)

    def destroy(self, request, pk=None):
        services.target_delete(target=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TargetProgressView(AnalyticsView):
    """Every target as of `as_of` (default today, UTC): `actual` is its metric over
    start..min(as_of, end) with its channel and category (as `summary/` computes it);
    `attainment` = actual / amount; `expected` = amount x elapsed days / days in the span
    (elapsed days count as_of; 0 before the start, all after the end); `pace` = actual /
    expected and `projected` = actual / elapsed days x days in the span, both null before
    the start. Computed fresh (targets change without a sale), in a bounded number of queries."""

    report_class = reports.TargetsReport
    serializer_class = TargetProgressSerializer
