"""`manage.py bench` times each comparing endpoint over a span and against both earlier spans."""

import pytest

from analytics.management.commands.bench import COMPARED, analytics_paths

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
