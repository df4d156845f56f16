"""Thin views: check who asks, parse with a serializer, call a service, render the result."""

import django_filters
from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from salesbackend.filters import BooleanFilter, IdFilter

from . import selectors, services
from .models import DiscountCode, Order, OrderStatus, Refund, Return, ReturnStatus, Review
from .permissions import CanManageDiscountCodes, CanManageOrders, CanPlaceOrders, CanWriteReviews
from .serializers import (
    DiscountCodeSerializer,
    OrderCancelInputSerializer,
    OrderPlaceInputSerializer,
    OrderSerializer,
    OrderStatusInputSerializer,
    OrderUpdateInputSerializer,
    RefundInputSerializer,
    RefundSerializer,
    ReviewInputSerializer,
    ReviewSerializer,
)
from .serializers_returns import (
    ReturnNoteInputSerializer,
    ReturnReceiveInputSerializer,
    ReturnRejectInputSerializer,
    ReturnRequestInputSerializer,
    ReturnSerializer,
)

IDEMPOTENCY_KEY_MAX_LENGTH = 255


class CanPlaceOrManageOrders(BasePermission):
    """Customers (their own orders) and staff (every order)."""

    def has_permission(self, request, view) -> bool:
        return CanPlaceOrders().has_permission(request, view) or CanManageOrders().has_permission(
            request, view
        )


class OrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices)
    channel = django_filters.CharFilter(field_name="channel__code")
    customer = IdFilter(field_name="customer_id")
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = Order
        fields = ["status", "channel", "customer", "created_after", "created_before"]


class OrderListCreateView(generics.ListAPIView):
    permission_classes = [CanPlaceOrManageOrders]
    serializer_class = OrderSerializer
    filterset_class = OrderFilter
    ordering_fields = ["created_at", "total"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return selectors.orders_visible_to(self.request.user)

    @extend_schema(
        request=OrderPlaceInputSerializer,
        responses={201: OrderSerializer, 200: OrderSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Retrying with the same key and body returns the first order (200).",
            )
        ],
    )
    def post(self, request):
        key = request.headers.get("Idempotency-Key") or None
        if key is not None and len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
            raise ValidationError({"Idempotency-Key": [f"At most {IDEMPOTENCY_KEY_MAX_LENGTH} characters."]})
        data = _validated(OrderPlaceInputSerializer, request)
        placement = services.order_place(
            customer=data["customer"],
            actor=request.user,
            channel_code=data["channel"],
            lines=data["items"],
            shipping_address=data["shipping_address"],
            billing_address=data["billing_address"],
            note=data["note"],
            discount=data["discount"],
            discount_code=data["discount_code"] or None,
            idempotency_key=key,
        )
        if not placement.created:  # a replay: the order as it is now
            return _order_response(request, placement.order)
        order = selectors.order_with_rows(
            placement.order,
            items=placement.items,
            status_history=placement.status_history,
            refunds=[],
            returns=[],
        )
        return _order_response(request, order, status.HTTP_201_CREATED)


class OrderDetailView(generics.RetrieveAPIView):
    permission_classes = [CanPlaceOrManageOrders]
    serializer_class = OrderSerializer

    def get_queryset(self):
        return selectors.orders_visible_to(self.request.user)

    @extend_schema(
        request=OrderUpdateInputSerializer,
        responses=OrderSerializer,
        description="Only while pending (else 409): new items replace the lines, stock moves by the "
        "difference, kept lines keep their price; totals and the discount are computed again.",
    )
    def patch(self, request, pk: int):
        order = _visible_order(request, pk)
        data = _validated(OrderUpdateInputSerializer, request)
        order = services.order_update(
            order=order,
            actor=request.user,
            items=data.get("items"),
            shipping_address=data.get("shipping_address"),
            billing_address=data.get("billing_address", services.KEEP),
            note=data.get("note"),
            discount_code=data.get("discount_code", services.KEEP),
        )
        return _order_response(request, order)


class OrderStatusView(APIView):
    permission_classes = [CanManageOrders]

    @extend_schema(request=OrderStatusInputSerializer, responses=OrderSerializer)
    def post(self, request, pk: int):
        order = _visible_order(request, pk)
        data = _validated(OrderStatusInputSerializer, request)
        order = services.order_set_status(
            order=order, to_status=data["status"], actor=request.user, note=data["note"]
        )
        return _order_response(request, order)


class OrderRefundListCreateView(generics.ListAPIView):
    """An order's refunds: its owner and staff read them; staff refund delivered units."""

    permission_classes = [CanPlaceOrManageOrders]
    serializer_class = RefundSerializer

    def get_permissions(self):
        if self.request.method == "POST":
            return [CanManageOrders()]
        return super().get_permissions()

    def get_order(self) -> Order:
        return _visible_order(self.request, self.kwargs["pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Refund.objects.none()
        return selectors.refunds_of(self.get_order())

    @extend_schema(request=RefundInputSerializer, responses={201: RefundSerializer})
    def post(self, request, pk: int):
        order = self.get_order()
        data = _validated(RefundInputSerializer, request)
        refund = services.order_refund(
            order=order,
            lines=data["items"],
            restock=data["restock"],
            reason=data["reason"],
            note=data["note"],
            actor=request.user,
        )
        fresh = selectors.refunds_of(order).get(pk=refund.pk)
        return Response(
            RefundSerializer(fresh, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class OrderCancelView(APIView):
    permission_classes = [CanPlaceOrManageOrders]

    @extend_schema(request=OrderCancelInputSerializer, responses=OrderSerializer)
    def post(self, request, pk: int):
        order = _visible_order(request, pk)
        data = _validated(OrderCancelInputSerializer, request)
        order = services.order_cancel(order=order, actor=request.user, note=data["note"])
        return _order_response(request, order)


class OrderReturnCreateView(APIView):
    """A customer asks to send back units of their delivered order; staff do it for them."""

    permission_classes = [CanPlaceOrManageOrders]

    @extend_schema(request=ReturnRequestInputSerializer, responses={201: ReturnSerializer})
    def post(self, request, pk: int):
        order = _visible_order(request, pk)
        data = _validated(ReturnRequestInputSerializer, request)
        returned = services.return_request(
            order=order, lines=data["items"], reason=data["reason"], note=data["note"], actor=request.user
        )
        return _return_response(request, returned, status.HTTP_201_CREATED)


class ReturnFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ReturnStatus.choices)
    order = IdFilter(field_name="order_id")
    customer = IdFilter(field_name="customer_id")

    class Meta:
        model = Return
        fields = ["status", "order", "customer"]


class ReturnViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Returns: customers read and cancel their own (another's is 404); staff read all and move
    them along (approve, reject, receive, refund); every step is a service call."""

    serializer_class = ReturnSerializer
    lookup_value_regex = r"\d+"  # anything else is no return: 404 before any lookup
    filterset_class = ReturnFilter
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]
    staff_actions = frozenset({"approve", "reject", "receive", "refund"})

    def get_permissions(self):
        if self.action in self.staff_actions:
            return [CanManageOrders()]
        return [CanPlaceOrManageOrders()]

    def get_queryset(self):
        return selectors.returns_visible_to(self.request.user)

    def _target(self) -> Return:
        """The return by id if the user may see it (else 404), id only: services lock and read it."""
        visible = self.get_queryset().select_related(None).prefetch_related(None)
        return get_object_or_404(visible.only("pk", "order_id"), pk=self.kwargs["pk"])

    def _noted_step(self, request, service, note_serializer=ReturnNoteInputSerializer) -> Response:
        """A step that takes only a note (cancel, approve, reject), answered with the return."""
        data = _validated(note_serializer, request)
        returned = service(return_request=self._target(), actor=request.user, note=data["note"])
        return _return_response(request, returned)

    @extend_schema(request=ReturnNoteInputSerializer, responses=ReturnSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._noted_step(request, services.return_cancel)

    @extend_schema(request=ReturnNoteInputSerializer, responses=ReturnSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._noted_step(request, services.return_approve)

    @extend_schema(request=ReturnRejectInputSerializer, responses=ReturnSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._noted_step(request, services.return_reject, ReturnRejectInputSerializer)

    @extend_schema(request=ReturnReceiveInputSerializer, responses=ReturnSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        data = _validated(ReturnReceiveInputSerializer, request)
        returned = services.return_receive(
            return_request=self._target(), lines=data["items"], actor=request.user, note=data["note"]
        )
        return _return_response(request, returned)

    @extend_schema(request=None, responses={201: RefundSerializer})
    @action(detail=True, methods=["post"])
    def refund(self, request, pk=None):
        returned = self._target()
        refund = services.return_refund(return_request=returned, actor=request.user)
        fresh = selectors.refunds_of(refund.order).get(pk=refund.pk)
        return Response(
            RefundSerializer(fresh, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


def _return_response(request, returned: Return, status_code: int = status.HTTP_200_OK) -> Response:
    fresh = selectors.returns_visible_to(request.user).get(pk=returned.pk)
    return Response(ReturnSerializer(fresh, context={"request": request}).data, status=status_code)


def _visible_order(request, pk) -> Order:
    """The order by id if the user may see it (else 404), with its id only: the services lock and
    read the row themselves (`_order_response` shows what they return)."""
    visible = selectors.orders_visible_to(request.user).select_related(None).prefetch_related(None)
    return get_object_or_404(visible.only("pk"), pk=pk)


def _validated(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _order_response(request, order: Order, status_code: int = status.HTTP_200_OK) -> Response:
    """The order a service returned (the user was shown to see it before the service ran), as
    the list and detail show it: only what the service did not leave in hand is read."""
    answer = selectors.order_answer(order)
    return Response(OrderSerializer(answer, context={"request": request}).data, status=status_code)


class ProductReviewListCreateView(generics.ListAPIView):
    """Reviews of one product: anyone signed in reads, a customer who received it writes."""

    serializer_class = ReviewSerializer
    ordering_fields = ["created_at", "rating"]

    def get_permissions(self):
        if self.request.method == "POST":
            return [CanWriteReviews()]
        return super().get_permissions()

    def get_product(self):
        return get_object_or_404(
            selectors.products_reviewable_by(self.request.user), pk=self.kwargs["product_id"]
        )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no product to look up
            return Review.objects.none()
        return selectors.reviews_of_product(product=self.get_product()).select_related("customer")

    @extend_schema(request=ReviewInputSerializer, responses={201: ReviewSerializer})
    def post(self, request, product_id: int):
        product = self.get_product()
        data = _validated(ReviewInputSerializer, request)
        review = services.review_create(product=product, customer=request.user, **data)
        return Response(
            ReviewSerializer(review, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class DiscountCodeFilter(django_filters.FilterSet):
    is_active = BooleanFilter()
    search = django_filters.CharFilter(
        method="search_codes", max_length=100, help_text="In code or description."
    )
    expired = BooleanFilter(method="filter_expired", help_text="Whether the end date has passed.")

    class Meta:
        model = DiscountCode
        fields = ["is_active"]

    def search_codes(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(description__icontains=value))

    def filter_expired(self, queryset, name, value):
        return selectors.discount_codes_current(queryset, current=not value)


CODE_PATH = OpenApiParameter("code", str, OpenApiParameter.PATH, description="Matched case-insensitively.")


@extend_schema_view(
    list=extend_schema(
        summary="Discount codes", description="Each with `uses`: orders carrying it, not cancelled."
    ),
    retrieve=extend_schema(parameters=[CODE_PATH]),
    partial_update=extend_schema(parameters=[CODE_PATH]),
    destroy=extend_schema(
        parameters=[CODE_PATH], description="A code used by any order is never deleted (409): deactivate it."
    ),
)
class DiscountCodeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [CanManageDiscountCodes]
    serializer_class = DiscountCodeSerializer
    filterset_class = DiscountCodeFilter
    ordering_fields = ["code", "created_at"]
    ordering = ["code"]
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9_-]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.discount_codes_with_uses()

    def get_object(self):
        code = get_object_or_404(selectors.discount_code_by_code(self.kwargs["code"]))
        self.check_object_permissions(self.request, code)
        return code

    def _read(self, code: DiscountCode) -> dict:
        return self.get_serializer(selectors.discount_codes_with_uses().get(pk=code.pk)).data

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        code = services.discount_code_create(actor=request.user, **serializer.validated_data)
        return Response(self._read(code), status=status.HTTP_201_CREATED)

    def partial_update(self, request, code=None):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        updated = services.discount_code_update(
            code=instance, actor=request.user, data=serializer.validated_data
        )
        return Response(self._read(updated))

    def destroy(self, request, code=None):
        services.discount_code_delete(code=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
