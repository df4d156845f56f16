"""factory-boy factories for the catalog's models. The demo app has its own (`demo.factories`):
tests never build on the demo, and runtime code never imports a tests package."""

from decimal import Decimal

import factory

from accounts.tests.factories import SalespersonFactory
from catalog.models import Category, Product, ProductStatus, SalesChannel

__all__ = ["CategoryFactory", "ProductFactory", "channel"]


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    description = factory.Faker("sentence")
    parent = None
    is_active = True


class ProductFactory(factory.django.DjangoModelFactory):
    """A product made by a salesperson, with its stock row as the product services open it;
    `ProductFactory(stock=5)` also gives it 5 units (a restock through `inventory.services`)."""

    class Meta:
        model = Product
        skip_postgeneration_save = True

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Faker("catch_phrase")
    description = factory.Faker("paragraph", nb_sentences=2)
    price = Decimal("19.99")
    cost_price = Decimal("12.00")
    status = ProductStatus.ACTIVE
    category = factory.SubFactory(CategoryFactory)
    created_by = factory.SubFactory(SalespersonFactory)

    @factory.post_generation
    def stock(product, create, extracted, **kwargs):
        if not create:
            return
        from inventory.services import stock_create

        stock_create(product=product, quantity=extracted or 0, **kwargs)


def channel(code: str = "web") -> SalesChannel:
    """One of the channels the data migration creates (web, retail, phone)."""
    return SalesChannel.objects.get(code=code)
