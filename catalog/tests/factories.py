import factory

from accounts.tests.factories import SalespersonFactory
from catalog.models import SalesChannel
from demo import factories as demo_factories
from demo.factories import CategoryFactory

__all__ = ["CategoryFactory", "ProductFactory", "channel"]


class ProductFactory(demo_factories.ProductFactory):
    """A product made by a salesperson; `ProductFactory(stock=5)` also gives it 5 units."""

    created_by = factory.SubFactory(SalespersonFactory)


def channel(code: str = "web") -> SalesChannel:
    """One of the channels the data migration creates (web, retail, phone)."""
    return SalesChannel.objects.get(code=code)
