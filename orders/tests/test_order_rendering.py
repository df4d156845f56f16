"""The order representation is written out by hand for speed; it must equal DRF's rendering."""

from decimal import Decimal

import pytest
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from catalog.tests.factories import ProductFactory
from orders.models import OrderStatus
from orders.selectors import orders_visible_to
from orders.serializers import OrderSerializer
from orders.services import order_set_status
from orders.tests.factories import ADDRESS, place_order

pytestmark = pytest.mark.django_db


def _both_renderings(order, viewer):
    request = APIRequestFactory().get("/")
    request.user = viewer
    serializer = OrderSerializer(orders_visible_to(viewer).get(pk=order.pk), context={"request": request})
    generic = serializers.ModelSerializer.to_representation(serializer, serializer.instance)
    return serializer.data, generic


@pytest.mark.parametrize("viewer_name", ["customer", "salesperson"])
def test_the_written_out_representation_equals_drfs(viewer_name, customer, salesperson, request):
    viewer = request.getfixturevalue(viewer_name)
    awkward = ProductFactory(stock=9, price=Decimal("0.05"))
    lamp = ProductFactory(stock=9, price=Decimal("1234.50"))
    plain = place_order(customer=customer, products={awkward: 3})
    billed = place_order(
        customer=customer,
        products={awkward: 1, lamp: 2},
        actor=salesperson,
        billing_address=dict(ADDRESS, line2="Floor 2"),
        discount=Decimal("10.01"),
        note="call first",
    )
    order_set_status(order=billed, to_status=OrderStatus.PAID, actor=salesperson, note="wire")

    for order in (plain, billed):
        fast, generic = _both_renderings(order, viewer)
        assert fast == generic
        assert list(fast) == list(generic)  # same field order too
