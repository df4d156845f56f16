"""Catalog API: thin views that check permissions, parse input and call services/selectors."""

import hashlib

from django.conf import settings
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from inventory.selectors import products_in_stock, products_with_stock
from inventory.services import (
    stocked_product_create,
    stocked_product_import,
    stocked_products_bulk_create,
)
from orders.selectors import products_with_rating
from orders.services import unordered_product_delete
from salesbackend.errors import PayloadTooLarge
from salesbackend.filters import BooleanFilter
from salesbackend.versions import cached_by_versions

from . import selectors, services
from .filters import ProductFilter, StableOrderingFilter
from .models import Category, Product, SalesChannel
from .permissions import is_staff_user, read_or_permission
from .selectors import active_channel
from .serializers import (
    CategoryDetailSerializer,
    CategoryInputSerializer,
    CategoryNodeSerializer,
    ChannelSerializer,
    ChannelUpdateSerializer,
    ProductCreateSerializer,
    ProductImportResultSerializer,
    ProductImportSerializer,
    ProductInputSerializer,
    ProductRows,
    ProductSerializer,
    RowErrorsSerializer,
    StaffProductSerializer,
)

MAX_BULK_ITEMS = 1000


class StockedProductFilter(ProductFilter):
    """The catalog's product filters and inventory's: whether units are on hand."""

    in_stock = BooleanFilter(method="filter_in_stock", help_text="true: quantity on hand > 0.")

    class Meta(ProductFilter.Meta):
        fields = (*ProductFilter.Meta.fields, "in_stock")

    def filter_in_stock(self, queryset, name: str, value: bool):
        return products_in_stock(queryset, in_stock=value)


CHANNEL_CODE = OpenApiParameter(
    "code",
    str,
    OpenApiParameter.PATH,
    description="Channel code (`web`, `retail`, `phone`, ...); not the id.",
)


@extend_schema_view(
    list=extend_schema(
        summary="Categories in tree order",
        description="Parents come before their children, siblings by name; `depth` and `path` place "
        "each one in the tree. Customers see active categories (under active parents) only.",
        responses=CategoryNodeSerializer(many=True),
    ),
    retrieve=extend_schema(summary="One category with its ancestors (root first) and children"),
    create=extend_schema(request=CategoryInputSerializer, responses={201: CategoryDetailSerializer}),
    partial_update=extend_schema(
        request=CategoryInputSerializer,
        responses={200: CategoryDetailSerializer},
        description="Moving a category under itself or one of its sub-categories is refused (400).",
    ),
    destroy=extend_schema(description="A category with products or sub-categories is not deleted (409)."),
)
class CategoryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [read_or_permission("catalog.manage_catalog")]
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filter_backends: list = []
    serializer_class = CategoryDetailSerializer
    queryset = Category.objects.none()  # reads come from the tree selectors

    def list(self, request):
        nodes = selectors.category_tree_for(user=request.user)
        page = self.paginate_queryset(nodes)
        return self.get_paginated_response(CategoryNodeSerializer(page, many=True).data)

    def retrieve(self, request, slug: str):
        node = selectors.category_node_get(slug=slug, user=request.user)
        return Response(CategoryDetailSerializer(node).data)

    def create(self, request):
        serializer = CategoryInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        category = services.category_create(actor=request.user, **serializer.validated_data)
        node = selectors.category_node_get(slug=category.slug, user=request.user)
        return Response(CategoryDetailSerializer(node).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, slug: str):
        category = get_object_or_404(Category, slug=slug)
        serializer = CategoryInputSerializer(category, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        category = services.category_update(
            category=category, actor=request.user, data=serializer.validated_data
        )
        node = selectors.category_node_get(slug=category.slug, user=request.user)
        return Response(CategoryDetailSerializer(node).data)

    def destroy(self, request, slug: str):
        services.category_delete(category=get_object_or_404(Category, slug=slug), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        summary="Products",
        description="Customers see active products of active categories, without cost fields. "
        "`ordering`: price, name, created_at (staff also cost_price); prefix `-` for descending.",
        responses=StaffProductSerializer(many=True),
    ),
    retrieve=extend_schema(
        description="A non-active product is 404 for customers. `cost_price`, `margin` and "
        "`created_by` are present for staff only.",
        responses=StaffProductSerializer,
    ),
    create=extend_schema(request=ProductCreateSerializer, responses={201: StaffProductSerializer}),
    update=extend_schema(request=ProductInputSerializer, responses={200: StaffProductSerializer}),
    partial_update=extend_schema(request=ProductInputSerializer, responses={200: StaffProductSerializer}),
    destroy=extend_schema(
        description="A product that appears in any order is never deleted (409): archive it instead."
    ),
)
class ProductViewSet(viewsets.ModelViewSet):
    permission_classes = [read_or_permission("catalog.manage_catalog")]
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    filterset_class = StockedProductFilter
    lookup_value_regex = r"\d+"
    ordering = ("name", "id")
    queryset = Product.objects.none()

    @property
    def ordering_fields(self) -> tuple[str, ...]:
        public = ("price", "name", "created_at")
        return (*public, "cost_price") if is_staff_user(self.request.user) else public

    def get_queryset(self):
        """What a product shows: the catalog's fields, the stock on hand and the review rating."""
        products = selectors.product_list_for(user=self.request.user)
        if is_staff_user(self.request.user):
            return products_with_rating(products_with_stock(products))
        # A customer sees what the channel sells from its locations (?channel=, default web).
        code = self.request.query_params.get("channel")
        if code is not None and active_channel(code) is None:
            raise ValidationError({"channel": [f"Unknown sales channel {code!r}."]})
        return products_with_rating(products_with_stock(products, channel=code or "web"))

    def get_serializer_class(self):
        return StaffProductSerializer if is_staff_user(self.request.user) else ProductSerializer

    def list(self, request):
        # The hottest read of the API: cached per page under the versions of what it shows
        # (products, stock, reviews, the category tree), rendered from values() on a miss.
        staff = is_staff_user(request.user)
        page_key = hashlib.sha256(f"{staff}:{request.build_absolute_uri()}".encode()).hexdigest()
        return Response(
            cached_by_versions(
                f"catalog:product-page:{page_key}",
                [selectors.PRODUCTS_VERSION_KEY, selectors.CATEGORY_TREE_VERSION_KEY],
                lambda: self._page(staff=staff),
                settings.PRODUCT_LIST_CACHE_SECONDS,
            )
        )

    def _page(self, *, staff: bool) -> dict:
        rows = ProductRows(staff=staff)
        products = self.filter_queryset(self.get_queryset()).values(*rows.columns())
        return self.get_paginated_response(rows.to_json(self.paginate_queryset(products))).data

    def _read(self, product: Product) -> dict:
        """The product as the requesting user sees it, with stock and rating."""
        return self.get_serializer(self.get_queryset().get(pk=product.pk)).data

    def create(self, request):
        serializer = ProductCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = stocked_product_create(actor=request.user, **serializer.validated_data)
        return Response(self._read(product), status=status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial: bool = False):
        product = self.get_object()
        serializer = ProductInputSerializer(product, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        product = services.product_update(product=product, actor=request.user, data=serializer.validated_data)
        return Response(self._read(product))

    def destroy(self, request, pk=None):
        unordered_product_delete(product=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="One product by SKU",
        parameters=[OpenApiParameter("sku", str, OpenApiParameter.PATH)],
        responses=StaffProductSerializer,
    )
    @action(detail=False, methods=["get"], url_path=r"sku/(?P<sku>[^/\x00]+)", filter_backends=[])
    def by_sku(self, request, sku: str):
        product = get_object_or_404(self.get_queryset(), sku=sku)
        return Response(self.get_serializer(product).data)

    @extend_schema(
        summary="Create or update products from a CSV or XLSX file",
        description="Columns: sku, name, description, price, cost_price, category (slug), status, stock "
        "(quantity on hand), image_url. An empty cell keeps an existing product's value. All or nothing: "
        "any bad row answers 400 with every error and writes nothing. Rows are numbered as in a "
        "spreadsheet (header = row 1). Larger than PRODUCT_IMPORT_MAX_BYTES: 413.",
        request={"multipart/form-data": ProductImportSerializer},
        responses={200: ProductImportResultSerializer, 400: RowErrorsSerializer, 413: None},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
        filter_backends=[],
    )
    def import_file(self, request):
        serializer = ProductImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        if upload.size > settings.PRODUCT_IMPORT_MAX_BYTES:
            raise PayloadTooLarge(f"The file is larger than {settings.PRODUCT_IMPORT_MAX_BYTES} bytes.")
        result = stocked_product_import(
            actor=request.user,
            file=upload,
            filename=upload.name,
            dry_run=serializer.validated_data["dry_run"],
        )
        return Response(ProductImportResultSerializer(result).data)

    @extend_schema(
        summary="Create many products at once, all or nothing",
        description=f"A JSON list (at most {MAX_BULK_ITEMS}) of products as for POST /products/. "
        'Any invalid item answers 400 {"errors": [{"index", "field", "message"}]} (index from 0) '
        "and creates nothing.",
        # Spelled out: drf-spectacular drops a list serializer's size limits here.
        request={
            "application/json": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/ProductCreateRequest"},
                "minItems": 1,
                "maxItems": MAX_BULK_ITEMS,
            }
        },
        responses={201: StaffProductSerializer(many=True), 400: RowErrorsSerializer},
    )
    @action(detail=False, methods=["post"], url_path="bulk", filter_backends=[], pagination_class=None)
    def bulk(self, request):
        serializer = ProductCreateSerializer(
            data=request.data, many=True, max_length=MAX_BULK_ITEMS, allow_empty=False
        )
        if not serializer.is_valid():
            raise services.RowErrors(_item_errors(serializer.errors))
        products = stocked_products_bulk_create(actor=request.user, items=serializer.validated_data)
        created = self.get_queryset().filter(pk__in=[p.pk for p in products]).order_by("id")
        return Response(self.get_serializer(created, many=True).data, status=status.HTTP_201_CREATED)


def _item_errors(errors: dict) -> list[dict]:
    """DRF's errors of a list serializer ({index: {field: [message]}}, or {"non_field_errors": [...]}
    when the body itself is wrong) as [{"index", "field", "message"}]."""
    rows = []
    for index, item_errors in errors.items():
        position = index if isinstance(index, int) else None
        if isinstance(item_errors, dict):
            for field, messages in item_errors.items():
                rows.extend({"index": position, "field": field, "message": str(m)} for m in messages)
        else:  # the body is not a list, or an item is not an object (e.g. null)
            rows.extend({"index": position, "field": None, "message": str(m)} for m in item_errors)
    return rows


@extend_schema_view(
    list=extend_schema(description="Sales channels; channel managers (ceo) also see inactive ones."),
    retrieve=extend_schema(
        description="One channel, looked up by its `code` (e.g. `web`).", parameters=[CHANNEL_CODE]
    ),
    partial_update=extend_schema(
        request=ChannelUpdateSerializer,
        parameters=[CHANNEL_CODE],
        description="Rename or (de)activate a channel; `code` cannot change (orders refer to it).",
    ),
)
class ChannelViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [read_or_permission("catalog.manage_channels")]
    serializer_class = ChannelSerializer
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends: list = []
    queryset = SalesChannel.objects.none()

    def get_queryset(self):
        return selectors.channel_list_for(user=self.request.user)

    def create(self, request):
        serializer = ChannelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        channel = services.channel_create(actor=request.user, **serializer.validated_data)
        return Response(ChannelSerializer(channel).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, code: str):
        channel = self.get_object()
        serializer = ChannelUpdateSerializer(channel, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        channel = services.channel_update(channel=channel, actor=request.user, data=serializer.validated_data)
        return Response(ChannelSerializer(channel).data)
