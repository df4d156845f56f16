"""/reports/lines/ and the links one level down: category -> its products -> the sales lines."""

import csv
import io
import re
from datetime import UTC, datetime
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from analytics.subscriptions import report_subscription_create, reports_send_due
from analytics.views import line_reports
from catalog.tests.factories import channel
from orders.models import SalesRecord

from .conftest import page_text

pytestmark = pytest.mark.django_db

LINES = "/reports/lines/"


@pytest.fixture
def browser(client, salesperson):
    client.force_login(salesperson)
    return client


def links(html: str) -> dict[str, str]:
    """The page's links by their text: {text: href}."""
    return {
        unescape(text): unescape(href)
        for href, text in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', html)
    }


def query_of(href: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(href).query).items()}


def test_anonymous_go_to_the_login_and_customers_are_refused(ledger, client, customer):
    assert client.get(LINES)["Location"].startswith("/admin/login/?next=/reports/lines/")

    client.force_login(customer)
    page, download = client.get(LINES), client.get(LINES, {"format": "csv"})

    assert page.status_code == download.status_code == 403
    assert b"60.00" not in page.content + download.content


def test_staff_read_the_totals_and_the_lines_in_words(ledger, client, ceo, salesperson):
    for user in (ceo, salesperson):
        client.force_login(user)
        response = client.get(LINES, {"start": "2026-01-01", "end": "2026-03-31"})

        assert response.status_code == 200
        html = page_text(response.content.decode())
        for label, value in (
            ("Lines", "9"),
            ("Units", "11"),
            ("Revenue", "500.00 EUR"),
            ("Cost", "271.00 EUR"),
        ):
            assert f'<div class="label">{label}</div><div class="value">{value}</div>' in html
        assert "<td>25 Mar 2026, 23:30</td><td>Sale</td>" in html
        assert "<td>20 Mar 2026, 12:00</td><td>Reversal</td>" in html
        assert '<td class="num">-60.00 EUR</td><td class="num">-15.00 EUR</td>' in html
        assert "Lines 1 to 9 of 9, newest first" in html
        assert 'name="customer"' in html and 'name="kind"' in html  # the form's own filters


def test_the_lines_page_filters_as_the_api_does(ledger, browser, salesperson_client):
    x = ledger.customers[0]
    params = {"customer": x.pk, "channel": "web", "kind": "sale"}

    html = page_text(browser.get(LINES, params).content.decode())
    api = salesperson_client.get("/api/v1/analytics/lines/", params).json()

    assert api["count"] == 4
    assert f'<div class="label">Revenue</div><div class="value">{api["totals"]["revenue"]} EUR</div>' in html
    assert html.count("<td>Sale</td>") == 4
    assert "Reversal" not in html.split("<tbody>")[1]


def test_bad_filters_show_next_to_the_field(ledger, browser):
    response = browser.get(LINES, {"kind": "refund", "customer": "abc"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert "Enter a customer id" in html


def test_pages_of_lines_link_newer_and_older_with_the_filters(ledger, browser, monkeypatch):
    monkeypatch.setattr(line_reports, "PAGE_SIZE", 4)
    first = page_text(browser.get(LINES, {"start": "2026-01-01", "channel": ""}).content.decode())
    older = links(first)["Older →"]

    assert "Lines 1 to 4 of" in first
    assert "← Newer" not in first
    assert query_of(older) == {"start": "2026-01-01", "page": "2"}

    second = page_text(browser.get(LINES + older).content.decode())
    assert query_of(links(second)["← Newer"]) == {"start": "2026-01-01"}
    assert "Lines 5 to 8 of" in second
    assert browser.get(LINES, {"page": "9"}).status_code == 404
    assert browser.get(LINES, {"page": "x"}).status_code == 404


def test_the_page_names_categories_and_channels_where_the_api_gives_their_keys(ledger, browser):
    response = browser.get(LINES, {"category": "books"})

    html = response.content.decode()
    channel_name = SalesRecord.objects.filter(category__slug="books").first().channel.name
    assert '<td data-kind="category">Books</td>' in html
    assert f'<td data-kind="channel">{channel_name}</td>' in html
    assert ">books<" not in html  # the slug is the CSV's and the API's, not the reader's


def test_csv_streams_every_line_with_the_apis_keys_and_numbers(
    ledger, browser, salesperson_client, monkeypatch
):
    monkeypatch.setattr(line_reports, "PAGE_SIZE", 2)  # the download is not the page
    response = browser.get(LINES, {"format": "csv", "category": "books", "page": "2"})

    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    api = salesperson_client.get("/api/v1/analytics/lines/", {"category": "books"}).json()
    assert header == list(api["results"][0])
    expected = [["" if line[key] is None else str(line[key]) for key in header] for line in api["results"]]
    for line in expected:
        line[1] = line[1].replace("Z", "+00:00")  # ISO 8601 both, Python's spelling of UTC
    assert rows == expected
    assert len(rows) == 5


def test_xlsx_holds_numbers_and_stops_at_its_limit(ledger, browser, monkeypatch):
    response = browser.get(LINES, {"format": "xlsx", "kind": "reversal"})

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, row = [[cell.value for cell in line] for line in sheet.iter_rows()]
    assert header[:3] == ["id", "sold_at", "kind"]
    assert row[2] == "reversal"
    assert row[header.index("revenue")] == -60
    assert row[header.index("quantity")] == -3

    monkeypatch.setattr("analytics.reports.XLSX_MAX_LINES", 5)
    too_many = browser.get(LINES, {"format": "xlsx"})
    assert too_many.status_code == 400
    assert "download CSV" in too_many.content.decode()
    html = browser.get(LINES).content.decode()
    assert "format=xlsx" not in html
    assert "XLSX up to 5 lines" in html


PERIOD = {"start": "2026-01-01", "end": "2026-03-31"}


def test_category_rows_link_to_their_products_with_the_pages_filters(ledger, browser):
    html = page_text(
        browser.get(
            reverse("reports:categories"), {**PERIOD, "channel": "web", "limit": "2"}
        ).content.decode()
    )
    found = links(html)

    assert query_of(found["Electronics"]) == {**PERIOD, "channel": "web", "category": "electronics"}
    assert urlsplit(found["Electronics"]).path == reverse("reports:products")
    assert query_of(found["Phones"])["category"] == "phones"
    # the leaders are products: down to their lines
    assert query_of(found["Phone A"]) == {**PERIOD, "channel": "web", "product": str(ledger.product.A.pk)}
    assert urlsplit(found["Phone A"]).path == LINES


def test_channel_rows_link_to_their_lines_which_add_up_to_the_row(ledger, browser):
    html = page_text(
        browser.get(
            reverse("reports:channels"), {"period": "", **PERIOD, "category": "books"}
        ).content.decode()
    )
    phone_name, retail_name = (channel("phone").name, channel("retail").name)
    phone = links(html)[phone_name]

    assert urlsplit(phone).path == LINES
    assert query_of(phone) == {**PERIOD, "category": "books", "channel": "phone"}
    lines = page_text(browser.get(phone).content.decode())
    assert (
        '<div class="label">Revenue</div><div class="value">0.00 EUR</div>' in lines
    )  # sold, then cancelled
    assert lines.count("<td>Reversal</td>") == 1

    retail = page_text(browser.get(links(html)[retail_name]).content.decode())
    assert '<div class="label">Revenue</div><div class="value">60.00 EUR</div>' in retail  # H 40 + C 20


def test_product_rows_top_and_bottom_link_to_their_lines(ledger, browser, monkeypatch):
    monkeypatch.setattr("analytics.forms.timezone.now", lambda: datetime(2026, 4, 1, tzinfo=UTC))
    html = page_text(
        browser.get(
            reverse("reports:products"),
            {"period": "year_to_date", "start": "", "category": "books", "limit": "5"},
        ).content.decode()
    )
    top, bottom = html.split("Lowest sellers")

    for table in (top, bottom):
        for sku in ("C", "H"):
            product = getattr(ledger.product, sku)
            assert query_of(links(table)[product.name]) == {
                "period": "year_to_date",
                "category": "books",
                "product": str(product.pk),
            }
    assert query_of(links(bottom)["Unsold D"])["product"] == str(ledger.product.D.pk)  # no lines, still a row


def test_sales_without_a_category_have_no_link_down(ledger, browser):
    SalesRecord.objects.filter(product=ledger.product.H).update(category=None)

    html = page_text(browser.get(reverse("reports:categories")).content.decode())

    assert "Books" in links(html)
    assert all("category=&" not in href and not href.endswith("category=") for href in links(html).values())


def test_a_subscription_to_the_lines_mails_the_newest_with_a_csv(ledger, salesperson, monkeypatch):
    monkeypatch.setattr("analytics.reports.lines.NEWEST_LINES", 2)
    report_subscription_create(
        user=salesperson, actor=salesperson, report="lines", filters={"kind": "sale", "channel": "retail"},
        frequency="daily", hour=7,
    )  # fmt: skip

    assert reports_send_due(force=True) == 1

    message = mail.outbox[0]
    html = message.alternatives[0][0]
    assert "Sales lines" in message.subject
    assert "25 Mar 2026, 23:30" in html and "20.00 EUR" in html
    assert "Reversal" not in html
    name, content, _ = message.attachments[0]
    assert name == "lines.csv"
    assert len(content.strip().splitlines()) == 3  # the header and the newest two
