"""Deleting a product: a flow across catalog, inventory and orders, so it lives here, furthest right."""

from django.db import transaction

from catalog.models import Product
from inventory.services import stocked_product_delete
from orders.selectors import product_ordered
from salesbackend.exceptions import ConflictError


@transaction.atomic
def unordered_product_delete(*, product: Product, actor) -> None:
    """Delete a product that was never ordered, with its stock row and ledger; an ordered one
    is 409: archive it instead."""
    if product_ordered(product=product):
        raise ConflictError(
            "This product appears in orders and cannot be deleted; archive it instead (status=archived).",
            code="product_in_orders",
        )
    stocked_product_delete(product=product, actor=actor)
