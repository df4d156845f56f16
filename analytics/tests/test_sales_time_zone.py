"""The business's own day (SALES_TIME_ZONE): a sale paid at 23:30 in Los Angeles counts on that
Los Angeles day in the filters, presets, buckets, rollups and the admin dashboard; one at 00:30
the next morning does not. With the default UTC the same sales fall on UTC days, as before."""

from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from accounts.tests.factories import CustomerFactory
from analytics.tests.conftest import record_sale
from catalog.tests.factories import CategoryFactory, ProductFactory, channel
from orders.ledger import sales_rollup_differences
from orders.models import DailySales, OrderStatus
from orders.tests.factories import OrderFactory

BASE = "/api/v1/analytics/"
LA = ZoneInfo("America/Los_Angeles")


def los_angeles(day: str, clock: str) -> datetime:
    """A wall-clock time in Los Angeles as the UTC moment a payment stores."""
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=LA).astimezone(UTC)


@contextmanager
def clock_at(moment: datetime):
    """Now is `moment` for everything that reads the clock (django.utils.timezone.now)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@pytest.fixture
def in_los_angeles(settings):
    """The business is in Los Angeles; Django's TIME_ZONE follows SALES_TIME_ZONE as settings.py ties them."""
    settings.SALES_TIME_ZONE = settings.TIME_ZONE = "America/Los_Angeles"


@pytest.fixture
def late_sales(db, in_los_angeles):
    """20.00 paid at 23:30 on 31 March in Los Angeles (06:30 UTC on 1 April), 3.00 paid at 00:30
    on 1 April in Los Angeles; both written as payments write them, rollups included."""
    book = ProductFactory(sku="BOOK", name="Night Book", category=CategoryFactory(slug="books"))
    web = channel("web")
    late = OrderFactory(customer=CustomerFactory(), channel=web, status=OrderStatus.PAID)
    early = OrderFactory(customer=CustomerFactory(), channel=web, status=OrderStatus.PAID)
    record_sale(late, los_angeles("2026-03-31", "23:30"), (book, 1, "20.00", "8.00"))
    record_sale(early, los_angeles("2026-04-01", "00:30"), (book, 1, "3.00", "1.00"))
    return SimpleNamespace(book=book)


def _revenue(client, **query) -> list[tuple[str, str, int]]:
    rows = client.get(BASE + "revenue/", query).json()
    return [(row["period"], row["revenue"], row["orders"]) for row in rows]


def test_a_sale_at_2330_local_counts_on_that_local_day(late_sales, ceo_client, sales_source):
    by_day = _revenue(ceo_client, group_by="day", start="2026-03-31", end="2026-04-01")
    by_month = _revenue(ceo_client, group_by="month", start="2026-03-01", end="2026-04-30")
    march_31 = ceo_client.get(BASE + "summary/", {"start": "2026-03-31", "end": "2026-03-31"}).json()

    assert by_day == [("2026-03-31", "20.00", 1), ("2026-04-01", "3.00", 1)]
    assert by_month == [("2026-03-01", "20.00", 1), ("2026-04-01", "3.00", 1)]
    assert (march_31["revenue"], march_31["orders"], march_31["units"]) == ("20.00", 1, 1)


def test_product_rankings_put_the_late_sale_in_its_local_month(late_sales, ceo_client):
    """Per product the rollup's whole-month rows answer a whole month: built in the zone too."""
    march = ceo_client.get(BASE + "top-products/", {"start": "2026-03-01", "end": "2026-03-31"}).json()
    april_1 = ceo_client.get(BASE + "top-products/", {"start": "2026-04-01", "end": "2026-04-01"}).json()

    assert [(row["sku"], row["revenue"]) for row in march] == [("BOOK", "20.00")]
    assert [(row["sku"], row["revenue"]) for row in april_1] == [("BOOK", "3.00")]


def test_today_is_the_local_day(late_sales, ceo_client, sales_source):
    def revenue(period: str) -> str:
        return ceo_client.get(BASE + "summary/", {"period": period}).json()["revenue"]

    with clock_at(los_angeles("2026-03-31", "23:45")):  # already 1 April in UTC
        assert revenue("today") == "20.00"
        assert revenue("month_to_date") == "20.00"
    with clock_at(los_angeles("2026-04-01", "00:45")):
        assert revenue("today") == "3.00"
        assert revenue("yesterday") == "20.00"
        assert revenue("month_to_date") == "3.00"
        assert revenue("previous_month") == "20.00"


def test_the_rollups_hold_the_local_days(late_sales):
    days = DailySales.objects.values_list("day", flat=True).order_by("day")

    assert [str(day) for day in days.distinct()] == ["2026-03-31", "2026-04-01"]
    assert sales_rollup_differences() == {}


def test_the_admin_dashboards_today_is_the_local_day(late_sales, client, salesperson, ceo, settings):
    client.force_login(salesperson)

    with clock_at(los_angeles("2026-03-31", "23:45")):
        html = client.get("/admin/").content.decode()

    currency = settings.SALES_CURRENCY
    assert f"20.00 {currency}" in html  # today's (and this month's) revenue: the 23:30 sale
    assert f"23.00 {currency}" not in html  # not the next morning's
    # "Orders today" opens the orders placed since local midnight, a filter the changelist takes
    link = "/admin/orders/order/?created_at__gte=2026-03-31+00%3A00%3A00-07%3A00"
    assert link in html
    client.force_login(ceo)
    changelist = client.get(link)
    assert changelist.status_code == 200 and "?e=1" not in changelist.get("Location", "")


def test_report_pages_name_the_zone_of_their_days(late_sales, client, salesperson):
    client.force_login(salesperson)

    html = client.get("/reports/revenue/", {"group_by": "day", "start": "2026-03-31", "end": "2026-04-01"})

    text = html.content.decode()
    assert "dates are days of America/Los_Angeles and inclusive" in text
    assert "At (America/Los_Angeles)</label>" in text  # the subscription hour


def test_with_the_default_utc_the_days_are_utcs(db, settings, ceo_client):
    """Nothing moves unless the setting does: the same two sales are both on 1 April in UTC."""
    assert settings.SALES_TIME_ZONE == "UTC"
    book = ProductFactory(category=CategoryFactory())
    for sold_at, revenue in (
        (los_angeles("2026-03-31", "23:30"), "20.00"),
        (los_angeles("2026-04-01", "00:30"), "3.00"),
    ):
        order = OrderFactory(customer=CustomerFactory(), channel=channel("web"), status=OrderStatus.PAID)
        record_sale(order, sold_at, (book, 1, revenue, "1.00"))

    assert _revenue(ceo_client, group_by="day", start="2026-03-31", end="2026-04-01") == [
        ("2026-03-31", "0.00", 0),
        ("2026-04-01", "23.00", 2),
    ]
    assert sales_rollup_differences() == {}
    assert Decimal(
        ceo_client.get(BASE + "summary/", {"start": "2026-04-01", "end": "2026-04-01"}).json()["revenue"]
    ) == Decimal("23.00")
