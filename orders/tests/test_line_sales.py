from decimal import Decimal

import pytest

from orders.pricing import LineSale, line_sales


@pytest.mark.parametrize(
    ("lines", "discount", "expected"),
    [
        (
            [(1, Decimal("10.00"), Decimal("4.00")), (3, Decimal("30.00"), Decimal("5.50"))],
            Decimal("0.00"),
            [
                LineSale(1, Decimal("0.00"), Decimal("10.00"), Decimal("4.00")),
                LineSale(3, Decimal("0.00"), Decimal("30.00"), Decimal("16.50")),
            ],
        ),
        (  # 1.00 off three equal lines: 0.33 each, and the left-over cent to one of them
            [(1, Decimal("1.00"), Decimal("0.10"))] * 3,
            Decimal("1.00"),
            [
                LineSale(1, Decimal("0.34"), Decimal("0.66"), Decimal("0.10")),
                LineSale(1, Decimal("0.33"), Decimal("0.67"), Decimal("0.10")),
                LineSale(1, Decimal("0.33"), Decimal("0.67"), Decimal("0.10")),
            ],
        ),
    ],
)
def test_line_sales_are_net_of_their_discount_share(lines, discount, expected):
    sales = line_sales(lines=lines, discount=discount)

    assert sorted(sales, key=lambda s: s.revenue) == sorted(expected, key=lambda s: s.revenue)
    assert sum(s.revenue for s in sales) == sum(total for _, total, _ in lines) - discount


def test_a_code_discount_goes_to_the_eligible_lines_only():
    lines = [(1, Decimal("10.00"), Decimal("1.00")), (2, Decimal("20.00"), Decimal("2.00"))]

    sales = line_sales(lines=lines, discount=Decimal("3.00"), eligible=[False, True])

    assert [(s.discount, s.revenue) for s in sales] == [
        (Decimal("0.00"), Decimal("10.00")),
        (Decimal("3.00"), Decimal("17.00")),
    ]
