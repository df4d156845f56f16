"""The one formatting layer of the report pages and e-mails, on edge values and in two currencies."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from salesbackend import formatting


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("12345.6"), "12,345.60 EUR"),
        (0, "0.00 EUR"),
        (Decimal("-280"), "-280.00 EUR"),
        (Decimal("1e9"), "1,000,000,000.00 EUR"),
        (Decimal("0.00005"), "0.00 EUR"),
        (Decimal("-0.001"), "0.00 EUR"),  # never "-0.00"
        (656682.4000000001, "656,682.40 EUR"),  # a float sum from SQLite loses its tail
        ("1234.5", "1,234.50 EUR"),
        (None, ""),
    ],
)
def test_money_in_euros(value, shown, settings):
    settings.SALES_CURRENCY = "EUR"
    assert formatting.money(value) == shown


def test_money_follows_the_sales_currency(settings):
    settings.SALES_CURRENCY = "GBP"
    assert formatting.money(Decimal("1234.5")) == "1,234.50 GBP"
    assert formatting.money(Decimal("-1e9")) == "-1,000,000,000.00 GBP"
    assert formatting.xlsx_money_format() == '#,##0.00 "GBP"'
    settings.SALES_CURRENCY = "JPY"  # a currency without cents
    assert formatting.money(Decimal("1234.5")) == "1,235 JPY"
    assert formatting.cents(Decimal("1234.5")) == Decimal("1235")
    assert formatting.xlsx_money_format() == '#,##0 "JPY"'


def test_cents_are_exact_decimals():
    assert formatting.cents(0.1 + 0.2) == Decimal("0.30")
    assert str(formatting.cents(656682.4000000001)) == "656682.40"
    assert str(formatting.cents(Decimal("2.345"))) == "2.35"  # half up, as the selectors round
    assert formatting.cents(None) is None


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, "0"), (1234, "1,234"), (-5, "-5"), (Decimal("1e9"), "1,000,000,000"), (None, "")],
)
def test_counts(value, shown):
    assert formatting.count(value) == shown


@pytest.mark.parametrize(
    ("fraction", "shown"),
    [
        (Decimal("0.4123"), "41.2 %"),
        (0, "0.0 %"),
        (Decimal("-0.25"), "-25.0 %"),
        (Decimal("1"), "100.0 %"),
        (Decimal("1e9"), "100,000,000,000.0 %"),
        (Decimal("0.00005"), "0.0 %"),
        (Decimal("-0.0004"), "0.0 %"),  # never "-0.0 %"
        (Decimal("0.00049"), "0.0 %"),
        (Decimal("0.0005"), "0.1 %"),  # half up
        (None, ""),
    ],
)
def test_fractions_as_percentages(fraction, shown):
    assert formatting.percent(fraction) == shown


@pytest.mark.parametrize(
    ("fraction", "shown"),
    [
        (Decimal("0.778"), "78 %"),
        (Decimal("0.005"), "1 %"),
        (Decimal("-0.004"), "0 %"),
        (1, "100 %"),
        (None, ""),
    ],
)
def test_fractions_as_whole_percentages_for_grids(fraction, shown):
    assert formatting.whole_percent(fraction) == shown


def test_values_already_in_percent_read_like_fractions():
    assert formatting.percent_points(Decimal("11.0")) == formatting.percent(Decimal("0.11")) == "11.0 %"
    assert formatting.percent_points(Decimal("-21.43")) == "-21.4 %"
    assert formatting.percent_points(None) == ""


def test_a_change_reads_with_its_direction():
    assert formatting.change(Decimal("142.9")) == "▲ 142.9 %"
    assert formatting.change(Decimal("-15.3")) == "▼ 15.3 %"
    assert formatting.change(Decimal("0.0")) == "0.0 %"
    assert formatting.change(None) == ""


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("partially_refunded", "Partially refunded"),
        ("at_risk", "At risk"),
        ("need_attention", "Need attention"),
        ("average_order_value", "Average order value"),
        ("paid", "Paid"),
        ("ok", "OK"),
        ("", ""),
        (None, ""),
    ],
)
def test_keys_in_words(key, shown):
    assert formatting.words(key) == shown


def test_dates_in_one_business_format():
    assert formatting.business_date(date(2026, 12, 7)) == "7 Dec 2026"
    assert formatting.business_date(datetime(2026, 1, 31, 23, 59)) == "31 Jan 2026"
    assert formatting.business_date("2026-03-01") == "1 Mar 2026"
    assert formatting.business_date(None) == ""
    assert formatting.month("2026-01") == "Jan 2026"
    assert formatting.month(date(2026, 12, 7)) == "Dec 2026"


@pytest.mark.parametrize("share", [Decimal(n) / 20 for n in range(21)])
def test_retention_shading_is_readable_and_follows_the_share(share):
    background, text = formatting.shade(share)
    assert formatting.contrast(background, text) >= 4.5  # WCAG AA for normal text
    if share:
        lighter, _ = formatting.shade(share - Decimal("0.05"))
        assert int(background[1:3], 16) < int(lighter[1:3], 16)  # more retention, deeper colour


def test_shading_clamps_odd_shares():
    assert formatting.shade(None) == formatting.shade(0) == ("#ffffff", "#000000")
    assert formatting.shade(Decimal("1.5")) == formatting.shade(1)


def test_moments_read_on_the_pages_clock(settings):
    moment = datetime(2026, 3, 25, 23, 30, tzinfo=UTC)

    assert formatting.business_datetime(moment) == "25 Mar 2026, 23:30"
    assert formatting.business_datetime(None) == ""
    settings.TIME_ZONE = "America/Los_Angeles"  # a page in another zone reads its own day and hour
    assert formatting.business_datetime(moment) == "25 Mar 2026, 16:30"
    settings.TIME_ZONE = "Europe/Berlin"
    assert formatting.business_datetime(moment) == "26 Mar 2026, 00:30"
