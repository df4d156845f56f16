import pytest
from django.test import Client

from audit.models import AuditEntry
from catalog.tests.factories import ProductFactory
from inventory.models import Stock, StockMovement

pytestmark = pytest.mark.django_db

STOCK = "/admin/inventory/stock/"


@pytest.fixture
def staff_admin(salesperson) -> Client:
    client = Client()
    client.force_login(salesperson)
    return client


def _adjust(client, stocks, **form):
    return client.post(
        STOCK,
        {"action": "adjust_stock", "_selected_action": [s.pk for s in stocks], **form},
        follow=bool(form),
    )


def test_low_stock_filter(staff_admin):
    ProductFactory(sku="PLENTY", stock=50)
    ProductFactory(sku="SCARCE", stock=2)

    low = staff_admin.get(STOCK, {"low": "yes"}).content.decode()

    assert "SCARCE" in low
    assert "PLENTY" not in low


def test_adjust_action_shows_a_form_then_adjusts_through_the_service(staff_admin, salesperson):
    stocks = [Stock.objects.get(product=ProductFactory(stock=n)) for n in (3, 8)]

    form_page = _adjust(staff_admin, stocks)
    applied = _adjust(
        staff_admin, stocks, apply="1", mode="delta", amount="5", reason="restock", note="Delivery"
    )

    assert form_page.status_code == 200
    assert "Adjust stock" in form_page.content.decode()
    assert "Adjusted the stock of 2 products" in applied.content.decode()
    assert [Stock.objects.get(pk=s.pk).quantity for s in stocks] == [8, 13]
    assert StockMovement.objects.filter(reason="restock", actor=salesperson, note="Delivery").count() == 2
    assert AuditEntry.objects.filter(action="stock_adjust", actor=salesperson).count() == 2


def test_adjust_action_is_all_or_nothing_and_never_below_zero(staff_admin):
    stocks = [Stock.objects.get(product=ProductFactory(stock=n)) for n in (10, 2)]
    movements = StockMovement.objects.count()

    refused = _adjust(staff_admin, stocks, apply="1", mode="delta", amount="-5", reason="damage")

    assert "Nothing changed" in refused.content.decode()
    assert [Stock.objects.get(pk=s.pk).quantity for s in stocks] == [10, 2]
    assert StockMovement.objects.count() == movements


def test_set_quantity_with_the_adjust_action(staff_admin):
    stock = Stock.objects.get(product=ProductFactory(stock=9))

    _adjust(staff_admin, [stock], apply="1", mode="quantity", amount="4", reason="correction")

    assert Stock.objects.get(pk=stock.pk).quantity == 4
    assert StockMovement.objects.filter(product=stock.product).first().delta == -5


def test_stock_quantity_is_read_only_and_threshold_changes_are_audited(staff_admin, salesperson):
    stock = Stock.objects.get(product=ProductFactory(stock=9))

    locations = {"locations-TOTAL_FORMS": "1", "locations-INITIAL_FORMS": "1"}  # the per-location inline
    response = staff_admin.post(
        f"{STOCK}{stock.pk}/change/", {"quantity": "500", "low_stock_threshold": "3", **locations}
    )

    assert response.status_code == 302
    stock.refresh_from_db()
    assert (stock.quantity, stock.low_stock_threshold) == (9, 3)
    assert AuditEntry.objects.get(action="update", actor=salesperson).changes == {
        "low_stock_threshold": [10, 3]
    }


def test_the_ledger_is_read_only_in_the_admin(staff_admin):
    movement = StockMovement.objects.get(product=ProductFactory(stock=1))

    assert staff_admin.get("/admin/inventory/stockmovement/").status_code == 200
    assert (
        staff_admin.post(f"/admin/inventory/stockmovement/{movement.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert StockMovement.objects.filter(pk=movement.pk).exists()


def test_stock_changelist_queries_do_not_grow_with_rows(staff_admin, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # given a few stock rows, then many more
    ProductFactory.create_batch(2, stock=3)
    with CaptureQueriesContext(connection) as few:
        staff_admin.get(STOCK)
    ProductFactory.create_batch(20, stock=3)

    # when the change list is shown again, then it costs no more queries
    with django_assert_max_num_queries(len(few)):
        response = staff_admin.get(STOCK)
    assert response.context["cl"].result_count == 22


@pytest.mark.parametrize(("mode", "amount"), [("delta", "10" * 15), ("quantity", "9" * 30)])
def test_adjusting_beyond_the_stock_limit_is_reported_and_changes_nothing(staff_admin, mode, amount):
    stocks = [Stock.objects.get(product=ProductFactory(stock=n)) for n in (10, 2)]
    movements = StockMovement.objects.count()

    refused = _adjust(staff_admin, stocks, apply="1", mode=mode, amount=amount, reason="restock")

    assert refused.status_code == 200
    assert "Nothing changed" in refused.content.decode()
    assert [Stock.objects.get(pk=s.pk).quantity for s in stocks] == [10, 2]
    assert StockMovement.objects.count() == movements
