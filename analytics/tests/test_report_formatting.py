"""What a manager reads on the report pages, in the CSV and in the XLSX: money with its currency
and exact to the cent (also on SQLite, whose sums come back as floats), statuses and segments in
words, dates as dates, the cohort table shaded by retention, XLSX cells with number formats."""

import csv
import io
import re
from datetime import datetime
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CustomerFactory
from analytics.selectors import SalesFilters, customer_rfm
from catalog.tests.factories import ProductFactory, channel
from orders.models import OrderStatus
from orders.tests.factories import OrderFactory
from salesbackend import formatting

from .conftest import page_text, record_sale

pytestmark = pytest.mark.django_db
MONEY_TEXT = re.compile(r"^-?\d+\.\d{2}$")


@pytest.fixture
def staff_browser(client, salesperson):
    client.force_login(salesperson)
    return client


def read_csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.fixture
def dimes(db):
    """One customer's ten orders of 0.10 today: SQLite sums them to 0.9999999999999999."""
    customer, product, web = CustomerFactory(), ProductFactory(sku="DIME"), channel("web")
    now = timezone.now()
    for _ in range(10):
        order = OrderFactory(customer=customer, channel=web, status=OrderStatus.PAID)
        record_sale(order, now, (product, 1, "0.10", "0.05"))
    return customer


def test_rfm_revenue_is_exact_to_the_cent(dimes):
    rfm = customer_rfm(filters=SalesFilters(), as_of=timezone.now().date())

    assert [str(row["revenue"]) for row in rfm["customers"]] == ["1.00"]
    assert sum(row["revenue"] for row in rfm["segments"]) == Decimal("1.00")
    assert all(isinstance(row["revenue"], Decimal) for row in rfm["segments"])


def test_rfm_page_and_csv_show_money_to_the_cent(dimes, staff_browser):
    html = page_text(staff_browser.get(reverse("reports:rfm")).content.decode())
    customers = read_csv(staff_browser.get(reverse("reports:rfm"), {"format": "csv", "table": "rfm"}))
    segments = read_csv(staff_browser.get(reverse("reports:rfm"), {"format": "csv", "table": "segments"}))

    assert [row["revenue"] for row in customers] == ["1.00"]
    assert all(MONEY_TEXT.match(row["revenue"]) for row in segments)
    assert '<td class="num">1.00 EUR</td>' in html
    assert "0.99999" not in html
    # segments in words, never their keys
    assert "<td>At risk</td>" in html and "<td>Need attention</td>" in html
    assert "<td>at_risk</td>" not in html


def test_every_money_cell_of_the_tables_is_to_the_cent(ledger, staff_browser):
    params = {"group_by": "month", "start": "2026-01-01", "end": "2026-04-30"}
    revenue = read_csv(staff_browser.get(reverse("reports:revenue"), {**params, "format": "csv"}))
    customers = read_csv(staff_browser.get(reverse("reports:customers"), {**params, "format": "csv"}))
    cohorts = read_csv(
        staff_browser.get(reverse("reports:customers"), {**params, "format": "csv", "table": "cohorts"})
    )

    for row in revenue:
        assert all(MONEY_TEXT.match(row[key]) for key in ("revenue", "profit", "running_total"))
    assert all(MONEY_TEXT.match(row["revenue_per_customer"]) for row in customers)
    shares = [value for row in cohorts for key, value in row.items() if key.startswith("month_") and value]
    assert shares and all(re.match(r"^\d\.\d{4}$", share) for share in shares)


def test_overview_shows_statuses_in_words_and_money_with_separators(ledger, staff_browser):
    html = page_text(staff_browser.get(reverse("reports:overview")).content.decode())

    assert "<td>Partially refunded</td>" in html
    assert "partially_refunded</td>" not in html
    assert "<td>Average order value</td>" in html  # the summary's label, not its key
    assert "average_order_value" not in html.split("<main", 1)[-1].split("?format=", 1)[0]


@pytest.mark.parametrize(
    ("page", "name", "key"),
    [("reports:categories", "Electronics", "electronics"), ("reports:channels", "Web shop", "web")],
)
def test_category_and_channel_tables_name_them_and_keep_keys_for_the_files(
    ledger, staff_browser, page, name, key
):
    url = reverse(page)
    html = page_text(staff_browser.get(url).content.decode())
    rows = read_csv(staff_browser.get(url, {"format": "csv"}))

    assert f">{name}</a></td>" in html
    assert f"<td>{key}</td>" not in html  # the slug or code is the files', not the reader's
    assert key in {row.get("category", row.get("channel")) for row in rows}


def test_compare_page_labels_dates_as_dates(ledger, staff_browser):
    html = staff_browser.get(
        reverse("reports:compare"),
        {
            "period1_start": "2026-01-01",
            "period1_end": "2026-01-31",
            "period2_start": "2026-03-01",
            "period2_end": "2026-03-31",
        },
    ).content.decode()

    assert "2026-01-01 EUR" not in html and "1 Jan 2026 EUR" not in html
    assert '<td class="num">2 EUR</td>' not in html  # orders are a count


def test_cohort_table_is_shaded_by_retention(ledger, staff_browser):
    html = staff_browser.get(
        reverse("reports:customers"), {"start": "2026-01-01", "end": "2026-03-31"}
    ).content.decode()

    full, text = formatting.shade(Decimal(1))
    assert f'style="background-color: {full}; color: {text}">100 %</td>' in html  # whole percents in the grid
    none, _ = formatting.shade(Decimal(0))
    assert none == "#ffffff"


def test_abc_page_shows_money_with_its_currency(ledger, staff_browser):
    html = page_text(staff_browser.get(reverse("reports:abc"), {"by": "revenue"}).content.decode())
    units = staff_browser.get(reverse("reports:abc"), {"by": "units"}).content.decode()

    assert '<td class="num">200.00 EUR</td>' in html
    assert " EUR</td>" not in units.split("<tbody>", 1)[1]


def test_xlsx_cells_are_numbers_and_dates_with_number_formats(ledger, staff_browser):
    params = {"group_by": "month", "start": "2026-01-01", "end": "2026-04-30", "format": "xlsx"}
    page = staff_browser.get(reverse("reports:revenue"), params)
    revenue = openpyxl.load_workbook(io.BytesIO(page.content))
    channels = openpyxl.load_workbook(
        io.BytesIO(staff_browser.get(reverse("reports:channels"), {"format": "xlsx"}).content)
    )

    header, first, *_ = revenue.active.iter_rows(min_row=1, max_row=2)
    cells = {name.value: cell for name, cell in zip(header, first, strict=True)}
    assert isinstance(cells["period"].value, datetime)  # a real date, not text
    assert cells["period"].value.date().isoformat() == "2026-01-01"
    assert cells["period"].is_date and cells["period"].number_format == "yyyy-mm-dd"
    assert cells["revenue"].value == 280 and cells["revenue"].number_format == '#,##0.00 "EUR"'
    assert cells["orders"].number_format == "#,##0"
    header, first, *_ = channels.active.iter_rows(min_row=1, max_row=2)
    share = {name.value: cell for name, cell in zip(header, first, strict=True)}["share"]
    assert isinstance(share.value, float | int) and share.number_format == "0.0%"


def test_discounts_page_names_the_orders_without_a_code(ledger, staff_browser):
    url = reverse("reports:discounts")
    html = page_text(staff_browser.get(url).content.decode())
    rows = read_csv(staff_browser.get(url, {"format": "csv"}))

    assert "<tr><td>No code</td>" in html
    assert "<tr><td></td>" not in html
    assert "" in {row["code"] for row in rows}  # the files keep the API's null
