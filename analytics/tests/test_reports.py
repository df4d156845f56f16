"""HTML reports: session login, staff only, form + SVG chart + tables, CSV with the API's numbers."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import client_for

from .conftest import page_text

pytestmark = pytest.mark.django_db

PAGES = [
    "overview",
    "products",
    "revenue",
    "categories",
    "channels",
    "discounts",
    "customers",
    "rfm",
    "abc",
    "inventory",
    "compare",
]
COMPARE = "period1_start=2026-01-01&period1_end=2026-01-31&period2_start=2026-03-01&period2_end=2026-03-31"


@pytest.fixture
def staff_browser(client, salesperson):
    client.force_login(salesperson)
    return client


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("page", PAGES)
def test_staff_get_a_page_with_a_form_a_chart_and_a_table(ledger, client, ceo, salesperson, page):
    for user in (ceo, salesperson):
        client.force_login(user)
        response = client.get(reverse(f"reports:{page}"), {"start": "2026-01-01", "end": "2026-03-31"})

        assert response.status_code == 200
        html = response.content.decode()
        assert response["Content-Type"].startswith("text/html")
        assert '<form method="get"' in html
        assert "<svg" in html
        assert "<table>" in html
        assert 'href="/admin/"' in html  # back to the admin
        assert "format=csv" in html


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_the_admin_login(client, page):
    response = client.get(reverse(f"reports:{page}"))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=/reports/")


@pytest.mark.parametrize("page", PAGES)
def test_customers_are_refused(ledger, client, customer, page):
    client.force_login(customer)

    response = client.get(reverse(f"reports:{page}"))
    csv_response = client.get(reverse(f"reports:{page}"), {"format": "csv"})

    assert response.status_code == csv_response.status_code == 403
    assert b"500.00" not in response.content + csv_response.content


def test_table_cells_are_escaped_and_numbers_aligned(ledger, staff_browser):
    product = ledger.product.D
    product.name = '<img src=x onerror="alert(1)">'
    product.save()

    html = page_text(staff_browser.get(reverse("reports:abc")).content.decode())

    assert "<img src=x" not in html
    link = f"/reports/lines/?product={product.pk}"  # the name links to its lines
    assert f'<td><a href="{link}">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</a></td>' in html
    assert '<td class="num">1</td>' in html  # the first rank, a number


def test_overview_tiles_show_the_summary(ledger, staff_browser):
    html = staff_browser.get(reverse("reports:overview")).content.decode()

    for figure in ("500.00 EUR", "229.00 EUR", "45.8 %", "125.00 EUR"):  # money with its currency
        assert f'<div class="value">{figure}</div>' in html


def test_products_csv_has_a_header_and_the_api_numbers(ledger, staff_browser, salesperson):
    params = {"by": "units", "limit": 3, "category": "books"}
    api_rows = client_for(salesperson).get("/api/v1/analytics/bottom-products/", params).json()

    rows = read_csv(
        staff_browser.get(reverse("reports:products"), {**params, "format": "csv", "table": "bottom"})
    )

    header, *body = rows
    assert header == ["rank", "product", "sku", "name", "units", "revenue", "profit", "share"]
    assert body == [[str(row[key]) for key in header] for row in api_rows]
    assert body[0][:3] == ["1", str(ledger.product.D.pk), "D"]


@pytest.mark.parametrize(
    ("page", "query", "api_path"),
    [
        ("revenue", "group_by=month&start=2026-01-01&end=2026-04-30", "revenue/"),
        ("channels", "", "by-channel/"),
        ("categories", "table=categories", "by-category/"),
        ("categories", "table=leaders&limit=1", "category-leaders/"),
        ("products", "table=top", "top-products/"),
    ],
)
def test_every_table_downloads_the_numbers_the_api_returns(
    ledger, staff_browser, salesperson, page, query, api_path
):
    api_query = "&".join(part for part in query.split("&") if part and not part.startswith("table="))
    api_rows = client_for(salesperson).get(f"/api/v1/analytics/{api_path}?{api_query}").json()

    header, *body = read_csv(staff_browser.get(f"{reverse(f'reports:{page}')}?format=csv&{query}"))

    assert body == [["" if row[key] is None else str(row[key]) for key in header] for row in api_rows]


def test_revenue_page_shows_running_total_and_change(ledger, staff_browser):
    html = page_text(
        staff_browser.get(
            reverse("reports:revenue"), {"group_by": "month", "start": "2026-01-01", "end": "2026-04-30"}
        ).content.decode()
    )

    assert "Running total" in html
    # February, empty, against January: its change in percent with the down mark
    assert '<td class="num">▼ 100.0 %</td>' in html
    assert "<svg" in html and "Revenue by month" in html


def test_revenue_page_form_shows_the_grouping_the_chart_uses(ledger, staff_browser):
    html = staff_browser.get(reverse("reports:revenue")).content.decode()

    assert '<option value="month" selected>' in html
    assert "Revenue by month" in html


def test_compare_page_defaults_to_the_last_30_days_and_downloads_the_comparison(ledger, staff_browser):
    default = staff_browser.get(reverse("reports:compare"))
    rows = read_csv(staff_browser.get(f"{reverse('reports:compare')}?{COMPARE}&format=csv"))

    assert default.status_code == 200
    assert rows == [
        ["metric", "period1", "period2", "difference", "change_pct"],
        ["start", "2026-01-01", "2026-03-01", "", ""],
        ["end", "2026-01-31", "2026-03-31", "", ""],
        ["revenue", "280.00", "220.00", "-60.00", "-21.43"],
        ["orders", "2", "2", "0", "0.00"],  # every total has its difference
        ["units", "7", "4", "-3", "-42.86"],
    ]
    html = page_text(staff_browser.get(f"{reverse('reports:compare')}?{COMPARE}").content.decode())
    # dates as dates and counts as counts (never "EUR" on them), every difference shown
    assert '<td>Start</td><td class="num">1 Jan 2026</td><td class="num">1 Mar 2026</td>' in html
    assert '<td>Units</td><td class="num">7</td><td class="num">4</td><td class="num">-3</td>' in html
    assert '<td class="num">-60.00 EUR</td><td class="num">-21.4 %</td>' in html
    assert '<div class="value">-21.4 %</div>' in html  # the tile, in percent like the table


def test_overview_status_table_csv(ledger, staff_browser):
    rows = read_csv(staff_browser.get(reverse("reports:overview"), {"format": "csv", "table": "status"}))

    assert rows[0] == ["status", "orders"]
    assert ["paid", "4"] in rows and ["pending", "1"] in rows


def test_bad_filters_show_the_error_with_status_400(ledger, staff_browser):
    response = staff_browser.get(reverse("reports:revenue"), {"start": "2026-03-02", "end": "2026-03-01"})
    bad_csv = staff_browser.get(reverse("reports:revenue"), {"group_by": "hour", "format": "csv"})
    unknown_table = staff_browser.get(reverse("reports:products"), {"format": "csv", "table": "nope"})

    assert response.status_code == 400
    assert "The end date must not be before the start date." in response.content.decode()
    assert bad_csv.status_code == 400
    assert unknown_table.status_code == 400


def test_spreadsheet_formulas_in_names_are_neutralised(ledger, staff_browser):
    ledger.product.A.name = "=HYPERLINK(1)"
    ledger.product.A.save()

    rows = read_csv(staff_browser.get(reverse("reports:products"), {"format": "csv", "table": "top"}))

    assert "'=HYPERLINK(1)" in [row[3] for row in rows]


def test_admin_header_links_to_the_reports(staff_browser):
    html = staff_browser.get("/admin/").content.decode()

    assert '<a href="/reports/" class="sales-reports-link">Sales reports</a>' in html


def test_pages_show_percentages_and_currency_and_the_xlsx_equals_the_csv(ledger, staff_browser, settings):
    import openpyxl

    settings.SALES_CURRENCY = "EUR"
    params = {"start": "2026-01-01", "end": "2026-03-31"}
    html = staff_browser.get(reverse("reports:channels"), params).content.decode()
    rows = read_csv(staff_browser.get(reverse("reports:channels"), {**params, "format": "csv"}))
    xlsx = staff_browser.get(reverse("reports:channels"), {**params, "format": "xlsx"})

    share = rows[1][rows[0].index("share")]
    assert f"{Decimal(share) * 100:.1f} %" in html
    assert f"{rows[1][rows[0].index('revenue')]} EUR" in html
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    cells = [[("" if value is None else value) for value in row] for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == rows[0]
    for got, expected in zip(cells[1:], rows[1:], strict=True):
        assert [str(v) if isinstance(v, str) else Decimal(str(v)) for v in got] == [
            e if not _is_number(e) else Decimal(e) for e in expected
        ]


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return text != ""
