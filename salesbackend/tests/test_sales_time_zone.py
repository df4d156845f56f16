"""SALES_TIME_ZONE: an IANA name checked at start, Django's TIME_ZONE following it, and the
helpers that turn the business's days into UTC instants and back."""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from salesbackend import formatting
from salesbackend.tests.test_production_settings import _settings_of
from salesbackend.zone import sales_date, sales_day_start, sales_today


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "../../etc/passwd", ""])
def test_a_name_that_is_no_time_zone_stops_the_app_at_start(name):
    started = _settings_of(DJANGO_DEBUG="1", SALES_TIME_ZONE=name, show="SALES_TIME_ZONE")

    assert started.returncode != 0
    assert "ImproperlyConfigured" in started.stderr
    assert f"SALES_TIME_ZONE={name!r} is not an IANA time zone name" in started.stderr


def test_djangos_time_zone_follows_it_and_utc_is_the_default():
    zoned = _settings_of(
        DJANGO_DEBUG="1", SALES_TIME_ZONE="America/Los_Angeles", show="SALES_TIME_ZONE, TIME_ZONE"
    )
    default = _settings_of(DJANGO_DEBUG="1", show="SALES_TIME_ZONE, TIME_ZONE")

    assert zoned.returncode == 0, zoned.stderr
    assert zoned.stdout.split() == ["America/Los_Angeles", "America/Los_Angeles"]
    assert default.stdout.split() == ["UTC", "UTC"]


def test_a_local_day_starts_at_its_local_midnight(settings):
    settings.SALES_TIME_ZONE = "America/Los_Angeles"

    assert sales_day_start(date(2026, 3, 31)) == datetime(2026, 3, 31, 7, tzinfo=UTC)  # PDT
    assert sales_day_start(date(2026, 1, 5)) == datetime(2026, 1, 5, 8, tzinfo=UTC)  # PST
    assert sales_date(datetime(2026, 4, 1, 6, 59, tzinfo=UTC)) == date(2026, 3, 31)
    assert sales_date(datetime(2026, 4, 1, 7, 0, tzinfo=UTC)) == date(2026, 4, 1)


def test_a_day_whose_midnight_a_clock_change_skips_starts_at_the_change(settings):
    """Santiago's clocks go from 00:00 to 01:00 on 6 September 2026: that day starts at 01:00,
    04:00 UTC."""
    settings.SALES_TIME_ZONE = "America/Santiago"

    start = sales_day_start(date(2026, 9, 6))

    assert start == datetime(2026, 9, 6, 4, tzinfo=UTC)
    assert sales_date(start) == date(2026, 9, 6)
    assert sales_date(datetime(2026, 9, 6, 3, 59, tzinfo=UTC)) == date(2026, 9, 5)


def test_today_and_shown_dates_are_the_businesss(settings, monkeypatch):
    settings.SALES_TIME_ZONE = "America/Los_Angeles"
    monkeypatch.setattr("django.utils.timezone.now", lambda: datetime(2026, 4, 1, 6, 30, tzinfo=UTC))

    assert sales_today() == date(2026, 3, 31)
    assert formatting.business_date(datetime(2026, 4, 1, 6, 30, tzinfo=UTC)) == "31 Mar 2026"


@pytest.mark.django_db
def test_the_api_keeps_utc_timestamps_while_the_business_is_elsewhere(settings, salesperson_client):
    settings.SALES_TIME_ZONE = settings.TIME_ZONE = "America/Los_Angeles"

    created = salesperson_client.post(
        "/api/v1/report-subscriptions/",
        {"report": "channels", "filters": {"period": "yesterday"}, "frequency": "daily", "hour": 7},
        format="json",
    )

    assert created.status_code == 201, created.content
    assert created.json()["created_at"].endswith("Z")
    assert timezone.get_current_timezone_name() == "America/Los_Angeles"  # only the request spoke UTC
