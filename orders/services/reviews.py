"""Reviews by customers of products they received."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from audit.models import AuditAction
from audit.services import record
from catalog.models import Product
from orders.models import (
    Review,
)
from orders.selectors import customer_received_product
from salesbackend.exceptions import ConflictError


@transaction.atomic(durable=True)
def review_create(*, product: Product, customer, rating: int, title: str = "", body: str = "") -> Review:
    """A customer's review of a product they received in a delivered order; one each."""
    if not customer_received_product(customer=customer, product=product):
        raise PermissionDenied("You can review only products you received.")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": ["The rating must be a whole number from 1 to 5."]})
    try:
        with transaction.atomic():
            review = Review.objects.create(
                product=product, customer=customer, rating=rating, title=title, body=body
            )
    except IntegrityError:
        raise ConflictError("You have already reviewed this product.", code="duplicate_review") from None
    record(
        actor=customer,
        action=AuditAction.CREATE,
        entity=review,
        changes={"product": [None, product.pk], "rating": [None, rating], "title": [None, title]},
    )
    return review
