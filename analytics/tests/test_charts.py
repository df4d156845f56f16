"""The chart layer: what a reader sees in the SVG (ticks in the axis unit, exact values as
tooltips, a legend for two series, words for an empty chart), not where pygal puts things."""

import re
from decimal import Decimal

from analytics import charts


def titles(chart: charts.Chart) -> list[str]:
    return re.findall(r"<title>([^<]*)</title>", chart.svg)


def test_money_bars_tick_with_separators_and_the_currency_and_tell_exact_values(settings):
    settings.SALES_CURRENCY = "EUR"
    chart = charts.bar_chart("Revenue by channel", [("Web shop", Decimal("12345.6")), ("Phone", 900)])

    assert chart.svg.startswith("<svg") and 'viewBox="0 0 1000 ' in chart.svg
    assert "width=" not in chart.svg.split(">", 1)[0]  # the page's CSS sizes it
    assert ">10,000 EUR<" in chart.svg
    assert "Web shop: 12,345.60 EUR" in titles(chart)
    assert "<script" not in chart.svg and 'href="http' not in chart.svg  # nothing from a CDN


def test_the_pareto_chart_reads_its_cumulative_share_in_percent():
    items = [("A-1", Decimal("600")), ("B-2", Decimal("300")), ("C-3", Decimal("100"))]
    chart = charts.pareto_chart("Pareto", items, [Decimal("0.6"), Decimal("0.9"), Decimal("1")], "money")

    for tick in ("0 %", "25 %", "50 %", "75 %", "100 %"):
        assert f">{tick}<" in chart.svg
    assert "A-1: 600.00 EUR" in titles(chart)
    assert "B-2: 90.0 %" in titles(chart)
    assert ">Cumulative share<" in chart.svg  # two series, a legend


def test_a_lone_series_has_no_legend_and_a_dashed_earlier_span_does():
    now = [("2026-01", 10), ("2026-02", 20)]
    one = charts.line_chart("Revenue", [charts.Series("Revenue", now)])
    two = charts.line_chart(
        "Revenue", [charts.Series("This period", now), charts.Series("Earlier", now, dashed=True)]
    )

    assert 'class="legends"' not in one.svg
    assert ">Earlier<" in two.svg and "stroke-dasharray" in two.svg


def test_many_dates_are_thinned_to_a_dozen_labels():
    days = [(f"2026-{1 + i // 28:02d}-{1 + i % 28:02d}", i) for i in range(90)]
    chart = charts.line_chart("Revenue by day", [charts.Series("Revenue", days)])

    shown = re.findall(r">(2026-\d\d-\d\d)</text>", chart.svg)
    assert 2 <= len(shown) <= charts.MAX_X_LABELS


def test_an_empty_chart_says_so_in_words():
    chart = charts.bar_chart("Revenue by channel", [])

    assert chart.svg == ""
    assert chart.empty == "No sales in this period"


def test_bar_values_sit_inside_a_long_bar_or_beyond_a_short_one_never_across_its_end(settings):
    settings.SALES_CURRENCY = "EUR"
    items = [("Long", Decimal("129286.43")), ("Middle", Decimal("60996.50")), ("Short", Decimal("100"))]
    svg = charts.bar_chart("Top sellers", items).svg

    ends = sorted(
        (float(y) + float(h) / 2, float(x) + float(w))
        for x, y, w, h in re.findall(
            r'<rect x="([\d.]+)" y="([\d.]+)" rx="0" ry="0" width="([\d.]+)" height="([\d.]+)" '
            r'class="rect reactive tooltip-trigger"',
            svg,
        )
    )
    values = re.findall(
        r'<text text-anchor="(\w+)" x="([\d.]+)" y="([\d.]+)" class="value" style="([^"]+)">', svg
    )
    assert len(values) == len(ends) == 3
    for anchor, x, y, style in values:
        _, end = min(ends, key=lambda bar: abs(bar[0] - float(y)))
        if anchor == "end":  # inside: ends before the bar does, white on the bar
            assert float(x) < end and "fill: #ffffff" in style
        else:  # beyond: starts after the bar, in ink
            assert anchor == "start" and float(x) > end and "fill: #ffffff" not in style
    assert {anchor for anchor, *_ in values} == {"start", "end"}


def test_a_target_line_is_drawn_strong_in_a_colour_of_its_own_beside_an_earlier_span():
    """Seen on a screenshot: the target took the palette's pale third colour and faded away."""
    now = [("2026-01", 10), ("2026-02", 20)]
    chart = charts.line_chart(
        "Revenue",
        [
            charts.Series("Revenue", now),
            charts.Series("Earlier", now, dashed=True),
            charts.Series("Target: Q1", now, target=True),
        ],
    )

    colours = dict(re.findall(r"\.color-(\d) a:visited\{stroke:(#\w+)", chart.svg))
    assert colours["2"] == charts.TARGETS[0] and charts.EARLIER not in colours.values()
    target_stroke = re.search(r"\.serie-2\{([^}]*)\}", chart.svg)
    assert (
        target_stroke and "stroke-width:3" in target_stroke[1] and "stroke-dasharray:14,6" in target_stroke[1]
    )
    assert ">Target: Q1<" in chart.svg
