import pytest
from django.db.models import Sum

from catalog.tests.factories import ProductFactory
from inventory.models import MovementReason, Stock, StockMovement
from inventory.services import stock_adjust
from salesbackend.exceptions import InsufficientStock

pytestmark = pytest.mark.django_db


def test_adjust_below_zero_is_refused_and_changes_nothing(salesperson):
    product = ProductFactory(stock=3)

    with pytest.raises(InsufficientStock):
        stock_adjust(product=product, actor=salesperson, reason=MovementReason.DAMAGE, delta=-4)

    assert Stock.objects.get(product=product).quantity == 3
    assert StockMovement.objects.filter(product=product).count() == 1  # the opening restock only


def test_ledger_sum_equals_quantity_after_adjustments(salesperson):
    product = ProductFactory(stock=5)

    stock_adjust(product=product, actor=salesperson, reason=MovementReason.RESTOCK, delta=7)
    stock_adjust(product=product, actor=salesperson, reason=MovementReason.CORRECTION, quantity=4)

    ledger = StockMovement.objects.filter(product=product).aggregate(total=Sum("delta"))["total"]
    assert Stock.objects.get(product=product).quantity == ledger == 4
