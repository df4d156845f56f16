"""The rollups remember the SALES_TIME_ZONE they were built in: after the setting changes, a
system check warns until `rebuild_sales_rollup` rebuilds them in the new zone's days."""

import logging
from datetime import UTC, datetime
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection

from audit.models import AuditEntry
from catalog.tests.factories import CategoryFactory, ProductFactory
from orders.checks import ROLLUPS_IN_ANOTHER_ZONE, sales_rollups_zone_check
from orders.ledger import (
    sales_rollup_differences,
    sales_rollup_rebuild,
    sales_rollup_verify,
    sales_rollup_zone,
)
from orders.models import DailySales, OrderStatus
from orders.services import order_set_status
from orders.tests.factories import place_order

pytestmark = pytest.mark.django_db

# 06:30 UTC on 1 April 2026 is 23:30 on 31 March in Los Angeles.
LATE_EVENING_IN_LOS_ANGELES = datetime(2026, 4, 1, 6, 30, tzinfo=UTC)


def _zone_warnings() -> list[str]:
    return [message.id for message in sales_rollups_zone_check(databases=["default"])]


@pytest.fixture
def paid_late(customer, salesperson, settings):
    """One order paid at 06:30 UTC on 1 April, its rollups built (and recorded) for UTC."""
    settings.SALES_TAX_RATE = 0
    product = ProductFactory(category=CategoryFactory(), stock=10)
    with mock.patch("django.utils.timezone.now", return_value=LATE_EVENING_IN_LOS_ANGELES):
        order_set_status(
            order=place_order(customer=customer, products={product: 1}),
            to_status=OrderStatus.PAID,
            actor=salesperson,
        )
    sales_rollup_rebuild()
    return product


def test_changing_the_zone_warns_until_the_rollups_are_rebuilt(paid_late, settings):
    assert _zone_warnings() == []

    settings.SALES_TIME_ZONE = settings.TIME_ZONE = "America/Los_Angeles"

    assert _zone_warnings() == [ROLLUPS_IN_ANOTHER_ZONE]
    [warning] = sales_rollups_zone_check(databases=["default"])
    assert "built for UTC, but SALES_TIME_ZONE is America/Los_Angeles" in warning.msg
    assert "rebuild_sales_rollup" in warning.hint
    assert sales_rollup_differences() != {}  # their days are still UTC's

    out = StringIO()
    call_command("rebuild_sales_rollup", stdout=out)

    assert "Sales rollups rebuilt for America/Los_Angeles (they were built for UTC)" in out.getvalue()
    assert _zone_warnings() == []
    assert sales_rollup_zone() == "America/Los_Angeles"
    assert sales_rollup_differences() == {}
    assert [str(day) for day in DailySales.objects.values_list("day", flat=True)] == ["2026-03-31"]
    rebuilt = AuditEntry.objects.filter(entity_type="orders.salesrollup").latest("id")
    assert rebuilt.changes["time_zone"] == ["UTC", "America/Los_Angeles"]


def test_sales_after_the_rebuild_add_to_the_new_zones_days(paid_late, customer, salesperson, settings):
    settings.SALES_TIME_ZONE = settings.TIME_ZONE = "America/Los_Angeles"
    sales_rollup_rebuild()
    with mock.patch("django.utils.timezone.now", return_value=datetime(2026, 4, 1, 7, 30, tzinfo=UTC)):
        order_set_status(
            order=place_order(customer=customer, products={paid_late: 2}),
            to_status=OrderStatus.PAID,
            actor=salesperson,
        )

    days = DailySales.objects.values_list("day", "quantity").order_by("day")
    assert [(str(day), quantity) for day, quantity in days] == [("2026-03-31", 1), ("2026-04-01", 2)]
    assert sales_rollup_differences() == {}


def test_the_nightly_verify_rebuilds_after_a_zone_change(paid_late, settings, caplog):
    settings.SALES_TIME_ZONE = settings.TIME_ZONE = "America/Los_Angeles"

    with caplog.at_level(logging.WARNING, logger="orders.ledger.rollups"):
        assert sales_rollup_verify() != {}

    assert "built for UTC, SALES_TIME_ZONE is America/Los_Angeles" in caplog.text
    assert sales_rollup_zone() == "America/Los_Angeles"
    assert _zone_warnings() == []


def test_a_verify_that_finds_them_equal_records_the_zone(db, settings):
    """With no sales, rollups of any zone equal the ledger: verify says they are the zone's."""
    sales_rollup_rebuild()
    settings.SALES_TIME_ZONE = settings.TIME_ZONE = "Europe/Berlin"

    assert sales_rollup_verify() == {}
    assert _zone_warnings() == []


def test_the_check_queries_only_the_databases_it_is_given_and_skips_a_missing_table(paid_late, settings):
    """Run before migrations (no table yet) or as a plain `check` (no databases), it says nothing."""
    settings.SALES_TIME_ZONE = settings.TIME_ZONE = "America/Los_Angeles"

    assert sales_rollups_zone_check(databases=None) == []
    with mock.patch.object(connection.introspection, "table_names", return_value=[]):
        assert _zone_warnings() == []


def test_the_check_says_nothing_when_no_zone_is_recorded(paid_late, settings):
    from orders.models import SalesRollupZone

    SalesRollupZone.objects.all().delete()
    settings.SALES_TIME_ZONE = settings.TIME_ZONE = "America/Los_Angeles"

    assert _zone_warnings() == []


def test_manage_py_check_with_the_database_shows_the_warning(paid_late, settings):
    settings.SALES_TIME_ZONE = settings.TIME_ZONE = "America/Los_Angeles"
    err = StringIO()

    call_command("check", "--database", "default", stdout=StringIO(), stderr=err)

    assert ROLLUPS_IN_ANOTHER_ZONE in err.getvalue()
