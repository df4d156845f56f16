"""Inventory API for staff: stock rows, adjustments and the ledger, by product SKU."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import selectors, services
from .filters import LocationFilter, LocationStockFilter, StockFilter
from .locations import location_create, location_update
from .models import Location, Stock, Transfer
from .permissions import CanManageStock, ReadOrCanManageLocations
from .serializers import (
    LocationQuerySerializer,
    LocationSerializer,
    LocationUpdateSerializer,
    StockAdjustSerializer,
    StockAtLocationSerializer,
    StockListRowSerializer,
    StockMovementSerializer,
    StockSerializer,
    TransferCreateSerializer,
    TransferReceiveSerializer,
    TransferSerializer,
)
from .transfers import transfer_cancel, transfer_create, transfer_receive, transfer_ship


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

    @extend_schema(
        parameters=[OpenApiParameter("location", str, description="Rows of this location only (code).")],
        responses=StockListRowSerializer(many=True),
    )
    def list(self, request, *args, **kwargs):
        location = _location(request)
        if location is None:
            return super().list(request, *args, **kwargs)
        rows = selectors.stock_at_location_list(location=location)
        rows = LocationStockFilter(request.query_params, queryset=rows).qs
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(StockAtLocationSerializer(page, many=True).data)

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
        product = selectors.stock_get(sku=sku, with_locations=False).product
        serializer = StockAdjustSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.stock_adjust(product=product, actor=request.user, **serializer.validated_data)
        return Response(StockSerializer(selectors.stock_get(sku=sku)).data)

    @extend_schema(
        summary="Stock ledger of one product, newest first",
        responses=StockMovementSerializer(many=True),
        parameters=[OpenApiParameter("location", str, description="Movements at this location only (code).")],
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def movements(self, request, sku: str):
        product = selectors.stock_get(sku=sku, with_locations=False).product
        movements = selectors.movement_list(product=product, location=_location(request))
        page = self.paginate_queryset(movements)
        return self.get_paginated_response(StockMovementSerializer(page, many=True).data)


def _location(request) -> Location | None:
    """The `?location=` a request names, if any; an unknown or unusable code is a 400."""
    query = LocationQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data.get("location")


@extend_schema_view(
    list=extend_schema(summary="Stock locations (warehouses and stores)"),
    create=extend_schema(summary="Add a location (CEO)"),
    partial_update=extend_schema(
        summary="Change a location (CEO)",
        description="`code` cannot change. Deactivating a location holding stock: 409 `location_not_empty`.",
    ),
)
class LocationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Staff read locations; only the CEO writes them. Customers never see a location (403)."""

    permission_classes = [CanManageStock, ReadOrCanManageLocations]
    serializer_class = LocationSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = LocationFilter
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Location.objects.none()

    def get_queryset(self):
        return selectors.location_list()

    def create(self, request):
        serializer = LocationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        location = location_create(actor=request.user, **serializer.validated_data)
        return Response(LocationSerializer(location).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, code: str):
        location = self.get_object()
        serializer = LocationUpdateSerializer(location, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        location = location_update(location=location, actor=request.user, data=serializer.validated_data)
        return Response(LocationSerializer(location).data)


@extend_schema_view(
    list=extend_schema(summary="Transfers between locations, newest first"),
    retrieve=extend_schema(summary="One transfer"),
    create=extend_schema(
        summary="Draft a transfer", request=TransferCreateSerializer, responses={201: TransferSerializer}
    ),
)
class TransferViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Staff move stock between locations; customers never see a transfer (403)."""

    permission_classes = [CanManageStock]
    serializer_class = TransferSerializer
    queryset = Transfer.objects.none()

    def get_queryset(self):
        return selectors.transfer_list()

    def create(self, request):
        serializer = TransferCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        transfer = transfer_create(
            actor=request.user,
            from_location=data["from_location"],
            to_location=data["to_location"],
            lines=data["items"],
            note=data["note"],
        )
        return Response(self._answer(transfer), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Ship a draft transfer",
        description="The units leave `from_location`; short there: 409 `insufficient_stock`, nothing moved.",
        request=None,
        responses=TransferSerializer,
    )
    @action(detail=True, methods=["post"])
    def ship(self, request, pk=None):
        return Response(self._answer(transfer_ship(transfer=self.get_object(), actor=request.user)))

    @extend_schema(
        summary="Receive a transfer in transit",
        description="`items` arrive at `to_location` (default: all shipped); the rest is written off.",
        request=TransferReceiveSerializer,
        responses=TransferSerializer,
    )
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        serializer = TransferReceiveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lines = serializer.validated_data.get("items")
        received = transfer_receive(transfer=self.get_object(), actor=request.user, lines=lines)
        return Response(self._answer(received))

    @extend_schema(
        summary="Cancel a transfer",
        description="A draft is dropped; a transfer in transit puts its units back at `from_location`.",
        request=None,
        responses=TransferSerializer,
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return Response(self._answer(transfer_cancel(transfer=self.get_object(), actor=request.user)))

    def _answer(self, transfer: Transfer) -> dict:
        return TransferSerializer(selectors.transfer_list().get(pk=transfer.pk)).data
