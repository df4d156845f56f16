from decimal import Decimal

import pytest

from orders import pricing

D = Decimal


@pytest.fixture(autouse=True)
def _pricing_settings(settings):
    settings.SALES_TAX_RATE = D("0.20")
    settings.SHIPPING_FLAT_FEE = D("5.00")
    settings.FREE_SHIPPING_THRESHOLD = D("50.00")


def test_line_total_rounds_half_up_to_cents():
    assert pricing.line_total(unit_price=D("0.005"), quantity=1) == D("0.01")
    assert pricing.line_total(unit_price=D("3.33"), quantity=3) == D("9.99")


def test_tax_is_rounded_to_cents(settings):
    settings.SALES_TAX_RATE = D("0.075")

    totals = pricing.order_totals(line_totals=[D("33.30")])  # 2.4975
    small = pricing.order_totals(line_totals=[D("0.25")])  # 0.01875

    assert totals.tax == D("2.50")
    assert small.tax == D("0.02")


def test_half_cent_is_rounded_up_not_to_even(settings):
    settings.SALES_TAX_RATE = D("0.5")

    # 0.05 * 0.5 = 0.025: half up gives 0.03, banker's rounding would give 0.02
    totals = pricing.order_totals(line_totals=[D("0.05")])

    assert totals.tax == D("0.03")


def test_awkward_prices_and_rate_add_up(settings):
    settings.SALES_TAX_RATE = D("0.19")

    totals = pricing.order_totals(
        line_totals=[pricing.line_total(unit_price=D("19.99"), quantity=3), D("0.07")], discount=D("1.13")
    )

    assert totals.subtotal == D("60.04")
    assert totals.discount == D("1.13")
    assert totals.tax == D("11.19")  # 58.91 * 0.19 = 11.1929
    assert totals.shipping == D("0.00")  # 58.91 >= 50
    assert totals.total == D("70.10")


def test_shipping_is_charged_below_threshold_after_discount():
    at_threshold = pricing.order_totals(line_totals=[D("50.00")])
    below_after_discount = pricing.order_totals(line_totals=[D("50.00")], discount=D("0.01"))

    assert at_threshold.shipping == D("0.00")
    assert below_after_discount.shipping == D("5.00")
    assert below_after_discount.total == D("49.99") + D("10.00") + D("5.00")


@pytest.mark.parametrize(
    ("line_totals", "discount"),
    [
        ([D("1.00")] * 4, D("0.02")),
        ([D("0.01"), D("99.99")], D("0.50")),
        ([D("10.00"), D("20.00"), D("30.00")], D("10.00")),
        ([D("3.33"), D("3.33"), D("3.34")], D("10.00")),
    ],
)
def test_discount_shares_add_up_and_never_exceed_their_line(line_totals, discount):
    shares = pricing.allocate_discount(line_totals=line_totals, discount=discount)

    assert sum(shares) == discount
    assert all(D("0") <= share <= amount for share, amount in zip(shares, line_totals, strict=True))


def test_no_discount_means_zero_shares():
    assert pricing.allocate_discount(line_totals=[D("5.00"), D("7.00")], discount=D("0")) == [D("0"), D("0")]
