"""Orders and sales records built directly (no stock or service rules): for read-side tests.
Tests of placement and the lifecycle go through `orders.services` instead."""

from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import CustomerFactory
from catalog.tests.factories import ProductFactory, channel
from orders.models import DiscountCode, DiscountKind, Order, OrderItem, OrderStatus, SalesRecord

ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "12 Analytical Row",
    "line2": "",
    "city": "London",
    "postal_code": "NW1 2AB",
    "country": "GB",
}


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"SO-TEST-{n:06d}")
    customer = factory.SubFactory(CustomerFactory)
    channel = factory.LazyFunction(channel)
    status = OrderStatus.PENDING
    subtotal = Decimal("0.00")
    discount = Decimal("0.00")
    tax = Decimal("0.00")
    shipping = Decimal("0.00")
    total = Decimal("0.00")
    shipping_address = factory.LazyFunction(lambda: dict(ADDRESS))


class OrderItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderItem

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory)
    sku = factory.SelfAttribute("product.sku")
    name = factory.SelfAttribute("product.name")
    quantity = 1
    unit_price = factory.SelfAttribute("product.price")
    unit_cost = factory.SelfAttribute("product.cost_price")
    line_total = factory.LazyAttribute(lambda item: item.unit_price * item.quantity)


class SalesRecordFactory(factory.django.DjangoModelFactory):
    """One paid order line in the sales ledger. Override `revenue`, `cost`, `sold_at` freely."""

    class Meta:
        model = SalesRecord

    order_item = factory.SubFactory(OrderItemFactory, order__status=OrderStatus.PAID)
    order = factory.SelfAttribute("order_item.order")
    product = factory.SelfAttribute("order_item.product")
    category = factory.SelfAttribute("product.category")
    channel = factory.SelfAttribute("order.channel")
    customer = factory.SelfAttribute("order.customer")
    quantity = factory.SelfAttribute("order_item.quantity")
    revenue = factory.SelfAttribute("order_item.line_total")
    cost = factory.LazyAttribute(lambda rec: rec.order_item.unit_cost * rec.quantity)
    sold_at = factory.LazyFunction(timezone.now)


def place_order(*, customer, products: dict, actor=None, **kwargs):
    """Place a real order through `orders.services.order_place`: `products` maps Product to quantity."""
    from orders.services import order_place

    kwargs.setdefault("shipping_address", dict(ADDRESS))
    lines = [{"product": product.pk, "quantity": quantity} for product, quantity in products.items()]
    return order_place(customer=customer, actor=actor or customer, lines=lines, **kwargs).order


class DiscountCodeFactory(factory.django.DjangoModelFactory):
    """A code that is valid now, for everything, without limits: override what a test is about."""

    class Meta:
        model = DiscountCode
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"SAVE{n}")
    kind = DiscountKind.PERCENT
    value = Decimal("10.00")

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)

    @factory.post_generation
    def channels(self, create, extracted, **kwargs):
        if create and extracted:
            self.channels.set(extracted)
