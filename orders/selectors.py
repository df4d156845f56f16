"""Reads on orders and reviews, scoped to what the asking user may see."""

from django.db.models import QuerySet

from accounts.permissions import is_staff_user
from catalog.models import Product, ProductStatus, Review

from .models import Order, OrderItem, OrderStatus


def manages_orders(user) -> bool:
    """Staff who see every order and move orders along the status machine."""
    return bool(user is not None and user.is_authenticated and user.has_perm("orders.manage_orders"))


def orders_visible_to(user) -> QuerySet[Order]:
    """All orders for staff, a customer's own otherwise; with what the representation reads,
    so a page of orders costs the same few queries however many rows it has."""
    orders = Order.objects.select_related("channel").prefetch_related("items", "status_history")
    if user is None or not user.is_authenticated:
        return orders.none()
    if manages_orders(user):
        return orders
    return orders.filter(customer=user)


def customer_received_product(*, customer, product: Product) -> bool:
    return OrderItem.objects.filter(
        order__customer=customer, order__status=OrderStatus.DELIVERED, product=product
    ).exists()


def products_reviewable_by(user) -> QuerySet[Product]:
    """Products whose reviews `user` may read: customers only see active products."""
    if is_staff_user(user):
        return Product.objects.all()
    return Product.objects.filter(status=ProductStatus.ACTIVE)


def reviews_of_product(*, product: Product) -> QuerySet[Review]:
    return Review.objects.filter(product=product).order_by("-created_at", "-id")
