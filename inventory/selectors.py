"""Reads of stock: rows with their product, one product's ledger."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from catalog.models import Product

from .models import Stock, StockMovement


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
