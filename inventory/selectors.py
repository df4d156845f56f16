"""Reads of stock: rows with their product, one product's ledger, products with their stock
(the catalog's doors show and filter products with what is on hand, and export it)."""

from collections.abc import Iterator
from typing import Any

from django.db.models import Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from catalog.models import Product
from catalog.selectors import PRODUCT_FILE_COLUMNS as CATALOG_FILE_COLUMNS
from catalog.selectors import product_file_row

from .models import Location, LocationStock, Stock, StockMovement, Transfer, TransferLine, TransferStatus

# A product file: the catalog's columns with the quantity on hand before image_url, where it has
# always been (an export can be edited and imported back).
PRODUCT_FILE_COLUMNS = (*CATALOG_FILE_COLUMNS[:-1], "stock", CATALOG_FILE_COLUMNS[-1])


def _with_locations() -> Prefetch:
    return Prefetch(
        "locations", queryset=LocationStock.objects.select_related("location").order_by("location__code")
    )


def stock_list() -> QuerySet[Stock]:
    return (
        Stock.objects.select_related("product").prefetch_related(_with_locations()).order_by("product__sku")
    )


def stock_at_location_list(*, location: Location) -> QuerySet[LocationStock]:
    """Rows of one location, by SKU."""
    return (
        LocationStock.objects.filter(location=location)
        .select_related("stock__product", "location")
        .order_by("stock__product__sku")
    )


def stock_get(*, sku: str, with_locations: bool = True) -> Stock:
    """The stock row of the product with this SKU (404 for an unknown SKU). A product that never
    had a row reads as an unsaved empty one; the first adjustment creates it."""
    product = get_object_or_404(Product, sku=sku)
    rows = Stock.objects.filter(product=product)
    stock = (rows.prefetch_related(_with_locations()) if with_locations else rows).first()
    return stock or Stock(product=product, quantity=0)


def movement_list(*, product: Product, location: Location | None = None) -> QuerySet[StockMovement]:
    """The ledger of one product (at one location), newest first."""
    movements = StockMovement.objects.filter(product=product).select_related("location")
    if location is not None:
        movements = movements.filter(location=location)
    return movements.order_by("-created_at", "-id")


def transfer_list() -> QuerySet[Transfer]:
    return Transfer.objects.select_related("from_location", "to_location").prefetch_related(
        Prefetch("lines", queryset=TransferLine.objects.select_related("product"))
    )


def units_in_transit(product: Product) -> int:
    """Units of `product` shipped on transfers not yet received or cancelled: they belong to
    no location."""
    lines = TransferLine.objects.filter(product=product, transfer__status=TransferStatus.IN_TRANSIT)
    return lines.aggregate(units=Coalesce(Sum("quantity"), 0))["units"]


def location_list() -> QuerySet[Location]:
    return Location.objects.prefetch_related("channels").order_by("-priority", "code")


def _on_hand() -> Coalesce:
    return Coalesce("stock__quantity", Value(0), output_field=IntegerField())


def products_with_stock(products: QuerySet[Product], *, channel: str | None = None) -> QuerySet[Product]:
    """`products` with `stock_quantity` annotated: on hand, 0 without a stock row; with a
    `channel` code, only what its locations hold (active, listing it or listing none), in SQL."""
    if channel is None:
        return products.annotate(stock_quantity=_on_hand())
    listed = Location.channels.through.objects.filter(location_id=OuterRef("location_id"))
    selling = LocationStock.objects.filter(stock__product=OuterRef("pk"), location__is_active=True).filter(
        Q(Exists(listed.filter(saleschannel__code=channel))) | ~Q(Exists(listed))
    )
    held = selling.values("stock__product").annotate(total=Sum("quantity")).values("total")
    return products.annotate(stock_quantity=Coalesce(Subquery(held), Value(0), output_field=IntegerField()))


def products_in_stock(products: QuerySet, *, in_stock: bool) -> QuerySet:
    """Of `products` (from `products_with_stock`), those with units on hand, or those without."""
    return products.filter(stock_quantity__gt=0) if in_stock else products.filter(stock_quantity__lte=0)


def product_file_rows(products: QuerySet[Product]) -> Iterator[list[Any]]:
    """Rows of PRODUCT_FILE_COLUMNS for a product file (export), by SKU, one query."""
    at = PRODUCT_FILE_COLUMNS.index("stock")
    for product in products.select_related("category").annotate(stock_quantity=_on_hand()).order_by("sku"):
        row = product_file_row(product)
        row.insert(at, product.stock_quantity)
        yield row
