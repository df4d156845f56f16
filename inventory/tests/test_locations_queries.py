"""No N+1 with locations: the locations list, the stock list (rows with their locations) and
one location's rows cost as many queries for many rows as for a few."""

import pytest

from catalog.models import SalesChannel
from catalog.tests.factories import ProductFactory
from inventory.models import Location, MovementReason
from inventory.services import stock_adjust

pytestmark = pytest.mark.django_db


def _stores(count: int, actor, start: int = 0) -> None:
    """`count` stores listing two channels, each holding a unit of a new product and of `shared`."""
    channels = list(SalesChannel.objects.filter(code__in=["web", "retail"]))
    for n in range(start, start + count):
        store = Location.objects.create(code=f"store-{n}", name=f"Store {n}", kind="store")
        store.channels.set(channels)
        for product in (ProductFactory(stock=0), _shared()):
            stock_adjust(product=product, actor=actor, reason=MovementReason.RESTOCK, delta=1, location=store)


def _shared():
    return ProductFactory._meta.model.objects.filter(sku="SHARED").first() or ProductFactory(sku="SHARED")


@pytest.mark.parametrize(
    ("path", "rows"),
    [
        ("/api/v1/locations/?page_size=100", lambda n: n + 1),  # and main
        ("/api/v1/inventory/?page_size=100", lambda n: n + 1),  # a product per store and the shared one
        ("/api/v1/inventory/?location=main&page_size=100", lambda n: 1),
        ("/api/v1/inventory/?location=store-0&page_size=100", lambda n: 2),
    ],
)
def test_location_lists_run_a_constant_number_of_queries(
    salesperson, salesperson_client, django_assert_max_num_queries, path, rows
):
    stock_adjust(product=_shared(), actor=salesperson, reason=MovementReason.RESTOCK, delta=1)  # at main
    _stores(2, salesperson)
    with django_assert_max_num_queries(8) as few:
        assert len(salesperson_client.get(path).json()["results"]) == rows(2)

    _stores(12, salesperson, start=2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = salesperson_client.get(path).json()["results"]
    assert len(body) == rows(14)
