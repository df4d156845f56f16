"""`manage.py bench` times each comparing endpoint and page over a span and against both earlier
spans, and the drill-down's totals for its broad filters."""

import pytest

from analytics.management.commands.bench import COMPARED, analytics_paths, report_paths

pytestmark = pytest.mark.django_db


def test_bench_times_every_comparison_next_to_its_plain_answer(ledger, ceo_client):
    paths = analytics_paths()
    client = ceo_client
    for path in COMPARED:
        spanned = f"/api/v1/analytics/{path}{'&' if '?' in path else '?'}period=year_to_date"
        at = paths.index(spanned)
        assert paths[at + 1 : at + 3] == [
            f"{spanned}&compare=previous_period",
            f"{spanned}&compare=previous_year",
        ]
        for asked in paths[at : at + 3]:
            assert client.get(asked).status_code == 200, asked


def test_bench_times_every_comparing_page_without_with_and_against_the_year(ledger, client, salesperson):
    client.force_login(salesperson)
    paths = report_paths()
    spanned = [path for path in paths if path.endswith("?period=year_to_date")]

    assert sorted(spanned) == sorted(
        f"/reports/{page}?period=year_to_date"
        for page in ("", "products/", "revenue/", "categories/", "channels/", "discounts/")
    )
    for path in spanned:
        at = paths.index(path)
        assert paths[at - 1 : at + 2] == [f"{path}&compare=none", path, f"{path}&compare=previous_year"]
        for asked in paths[at - 1 : at + 2]:
            assert client.get(asked).status_code == 200, asked


def test_bench_times_the_lines_totals_of_a_whole_channel_and_a_whole_category(ledger, ceo_client):
    broad = [
        path
        for path in analytics_paths()
        if path.startswith(("/api/v1/analytics/lines/?channel=", "/api/v1/analytics/lines/?category="))
        and "&" not in path
    ]

    assert [path.split("=")[0] for path in broad] == [
        "/api/v1/analytics/lines/?channel",
        "/api/v1/analytics/lines/?category",
    ]
    for path in broad:
        assert ceo_client.get(path).status_code == 200, path
