"""Inventory API for staff: stock rows, adjustments and the ledger, by product SKU."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import selectors, services
from .filters import StockFilter
from .models import Stock
from .permissions import CanManageStock
from .serializers import StockAdjustSerializer, StockMovementSerializer, StockSerializer


@extend_schema_view(
    list=extend_schema(
        summary="Stock of every product", description="`low=true`: at or below the threshold."
    ),
    retrieve=extend_schema(summary="Stock of one product, by SKU"),
)
class StockViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [CanManageStock]
    serializer_class = StockSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = StockFilter
    lookup_field = "sku"
    lookup_value_regex = r"[^/\x00]+"  # no NUL: PostgreSQL refuses it in a text parameter
    queryset = Stock.objects.none()

    def get_queryset(self):
        return selectors.stock_list()

    def get_object(self) -> Stock:
        return selectors.stock_get(sku=self.kwargs["sku"])

    @extend_schema(
        summary="Adjust the stock of one product",
        description="Give `delta` (units to add or remove) or `quantity` (the new quantity on hand), with a "
        "`reason`. Stock never goes below zero: 409 `insufficient_stock`, nothing changed.",
        request=StockAdjustSerializer,
        responses=StockSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def adjust(self, request, sku: str):
        product = self.get_object().product
        serializer = StockAdjustSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        stock = services.stock_adjust(product=product, actor=request.user, **serializer.validated_data)
        return Response(StockSerializer(stock).data)

    @extend_schema(
        summary="Stock ledger of one product, newest first", responses=StockMovementSerializer(many=True)
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def movements(self, request, sku: str):
        movements = selectors.movement_list(product=self.get_object().product)
        page = self.paginate_queryset(movements)
        return self.get_paginated_response(StockMovementSerializer(page, many=True).data)
