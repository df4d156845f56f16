"""Reads of stock: rows with their product, one product's ledger, products with their stock
(the catalog's doors show and filter products with what is on hand, and export it)."""

from collections.abc import Iterator
from typing import Any

from django.db.models import IntegerField, QuerySet, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from catalog.models import Product
from catalog.selectors import PRODUCT_FILE_COLUMNS as CATALOG_FILE_COLUMNS
from catalog.selectors import product_file_row

from .models import Stock, StockMovement

# A product file: the catalog's columns with the quantity on hand before image_url, where it has
# always been (an export can be edited and imported back).
PRODUCT_FILE_COLUMNS = (*CATALOG_FILE_COLUMNS[:-1], "stock", CATALOG_FILE_COLUMNS[-1])


def stock_list() -> QuerySet[Stock]:
    return Stock.objects.select_related("product").order_by("product__sku")


def stock_get(*, sku: str) -> Stock:
    """The stock row of the product with this SKU (404 for an unknown SKU). A product that never
    had a row reads as an unsaved empty one; the first adjustment creates it."""
    product = get_object_or_404(Product, sku=sku)
    stock = Stock.objects.filter(product=product).first()
    return stock or Stock(product=product, quantity=0)


def movement_list(*, product: Product) -> QuerySet[StockMovement]:
    """The ledger of one product, newest first."""
    return StockMovement.objects.filter(product=product).order_by("-created_at", "-id")


def _on_hand() -> Coalesce:
    return Coalesce("stock__quantity", Value(0), output_field=IntegerField())


def products_with_stock(products: QuerySet[Product]) -> QuerySet[Product]:
    """`products` with `stock_quantity` annotated: on hand, 0 without a stock row."""
    return products.annotate(stock_quantity=_on_hand())


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
