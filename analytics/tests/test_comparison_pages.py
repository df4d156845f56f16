"""The report pages compare with the previous period unless told otherwise: each key figure
shows its change with ▲ or ▼, the revenue charts draw the earlier span dashed with a legend.
Figures of the ledger: see conftest and test_comparisons."""

import re

import pytest
from django.urls import reverse

from .conftest import page_text

pytestmark = pytest.mark.django_db

SPAN = {"start": "2026-01-20", "end": "2026-03-10"}


@pytest.fixture
def browser(client, salesperson):
    client.force_login(salesperson)
    return client


def tiles(html: str) -> dict[str, str]:
    """Each key-figure card's text by its label, spaces collapsed."""
    found = re.findall(r'<div class="tile"><div class="label">([^<]+)</div>(.*?)</div></div>', html)
    return {label: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", rest)).strip() for label, rest in found}


def test_overview_cards_show_each_change_against_the_previous_period(ledger, browser):
    html = page_text(browser.get(reverse("reports:overview"), SPAN).content.decode())
    cards = tiles(html)

    assert cards["Revenue"] == "340.00 EUR ▲ 142.9 % vs 140.00 EUR, previous period"
    assert cards["Margin"] == "42.4 % ▼ 15.3 % vs 50.0 %, previous period"
    assert cards["Orders"] == "2 ▲ 100.0 % vs 1, previous period"
    assert 'class="change up"' in html and 'class="change down"' in html
    # the select says what the cards compare with
    assert re.search(r'<option value="previous_period" selected>Previous period</option>', html)


def test_a_card_says_n_a_against_an_empty_span_and_no_comparison_shows_none(ledger, browser):
    yearly = tiles(
        page_text(
            browser.get(reverse("reports:overview"), {**SPAN, "compare": "previous_year"}).content.decode()
        )
    )
    assert yearly["Revenue"] == "340.00 EUR n/a vs 0.00 EUR, previous year"

    plain = tiles(
        page_text(browser.get(reverse("reports:overview"), {**SPAN, "compare": "none"}).content.decode())
    )
    assert plain["Revenue"] == "340.00 EUR"
    everything = tiles(page_text(browser.get(reverse("reports:overview")).content.decode()))
    assert everything["Revenue"] == "500.00 EUR"  # all time has no span before it


def test_the_revenue_chart_draws_the_earlier_span_dashed_with_a_legend(ledger, browser):
    html = browser.get(reverse("reports:revenue"), {**SPAN, "group_by": "month"}).content.decode()
    chart = html[html.index("<svg") : html.index("</svg>")]

    assert "stroke-dasharray" in chart
    assert ">Revenue, previous period<" in chart  # the legend names it
    # the table adds the earlier bucket's revenue
    assert "Previous revenue" in html

    plain = browser.get(reverse("reports:revenue"), {**SPAN, "compare": "none"}).content.decode()
    assert "previous period" not in plain[plain.index("<svg") : plain.index("</svg>")]


def test_the_overview_chart_also_draws_the_earlier_span(ledger, browser):
    html = browser.get(reverse("reports:overview"), {**SPAN, "compare": "previous_year"}).content.decode()
    assert ">Revenue, previous year<" in html


def test_tables_gain_the_previous_revenue_and_change_columns(ledger, browser):
    html = page_text(browser.get(reverse("reports:channels"), SPAN).content.decode())
    assert "Previous revenue" in html and "▲ 42.9 %" in html
    assert (
        '<td class="num" data-kind="change"'
        in browser.get(reverse("reports:channels"), SPAN).content.decode()
    )


def test_pages_without_comparisons_have_no_compare_select(ledger, browser):
    for page in ("rfm", "inventory", "lines", "abc"):
        html = browser.get(reverse(f"reports:{page}")).content.decode()
        assert 'name="compare"' not in html, page
    assert 'name="compare"' in browser.get(reverse("reports:products")).content.decode()


def test_a_download_asks_as_the_api_does_unless_its_link_carries_the_comparison(ledger, browser):
    plain = browser.get(reverse("reports:channels"), {**SPAN, "format": "csv"}).content.decode()
    assert plain.splitlines()[0] == "rank,channel,name,revenue,orders,share"
    compared = browser.get(
        reverse("reports:channels"), {**SPAN, "format": "csv", "compare": "previous_period"}
    ).content.decode()
    assert compared.splitlines()[0] == "rank,channel,name,revenue,orders,share,previous_revenue,change_pct"


def test_the_revenue_tables_change_reads_in_percent_with_its_mark_and_downloads_keep_money(ledger, browser):
    """Seen on a screenshot: the page's "Change" column was a signed amount of money."""
    query = {**SPAN, "group_by": "month"}  # January 140.00, February nothing, March 200.00
    html = browser.get(reverse("reports:revenue"), query).content.decode()
    table = html[html.index("<table") : html.index("</table>")]

    changes = re.findall(r'<td class="num" data-kind="change">([^<]*)</td>', table)
    assert changes == ["", "▼ 100.0 %", ""]  # none before January; none of nothing (February)
    assert "-140.00" not in table and "Previous revenue" in table

    # after a day that refunded more than it sold, the change is in percent of its size: up
    refunded = {"start": "2026-03-19", "end": "2026-03-21", "group_by": "day"}  # 0, -60.00, 0
    html = browser.get(reverse("reports:revenue"), refunded).content.decode()
    table = html[html.index("<table") : html.index("</table>")]
    assert re.findall(r'<td class="num" data-kind="change">([^<]*)</td>', table) == ["", "", "▲ 100.0 %"]

    csv = browser.get(reverse("reports:revenue"), {**query, "format": "csv"}).content.decode().splitlines()
    assert csv[0] == "period,revenue,orders,units,profit,running_total,change"
    assert [row.rsplit(",", 1)[1] for row in csv[1:]] == ["", "-140.00", "200.00"]
