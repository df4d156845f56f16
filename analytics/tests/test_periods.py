"""`period=` presets: resolved in one place at month, quarter and year edges; accepted by every
analytics endpoint instead of start and end."""

from datetime import UTC, date, datetime

import pytest

from analytics.periods import PERIODS, period_dates


@pytest.mark.parametrize(
    ("name", "today", "expected"),
    [
        ("today", date(2026, 3, 1), (date(2026, 3, 1), date(2026, 3, 1))),
        ("yesterday", date(2026, 3, 1), (date(2026, 2, 28), date(2026, 2, 28))),
        ("yesterday", date(2026, 1, 1), (date(2025, 12, 31), date(2025, 12, 31))),
        ("last_7_days", date(2026, 3, 3), (date(2026, 2, 25), date(2026, 3, 3))),
        ("last_30_days", date(2024, 3, 1), (date(2024, 2, 1), date(2024, 3, 1))),  # 29 days in February
        ("month_to_date", date(2026, 2, 28), (date(2026, 2, 1), date(2026, 2, 28))),
        ("month_to_date", date(2026, 3, 1), (date(2026, 3, 1), date(2026, 3, 1))),
        ("previous_month", date(2026, 3, 31), (date(2026, 2, 1), date(2026, 2, 28))),
        ("previous_month", date(2026, 1, 15), (date(2025, 12, 1), date(2025, 12, 31))),
        ("quarter_to_date", date(2026, 3, 31), (date(2026, 1, 1), date(2026, 3, 31))),
        ("quarter_to_date", date(2026, 4, 1), (date(2026, 4, 1), date(2026, 4, 1))),
        ("quarter_to_date", date(2026, 12, 31), (date(2026, 10, 1), date(2026, 12, 31))),
        ("year_to_date", date(2026, 1, 1), (date(2026, 1, 1), date(2026, 1, 1))),
        ("year_to_date", date(2026, 12, 31), (date(2026, 1, 1), date(2026, 12, 31))),
        ("previous_year", date(2026, 1, 1), (date(2025, 1, 1), date(2025, 12, 31))),
    ],
)
def test_periods_resolve_at_month_quarter_and_year_edges(name, today, expected):
    assert period_dates(name, today) == expected


def test_every_documented_period_resolves():
    assert all(period_dates(name, date(2026, 5, 17)) for name in PERIODS)


@pytest.fixture
def frozen_now(monkeypatch):
    """The clock at 2026-04-01 00:30 UTC: the first day of a quarter."""
    monkeypatch.setattr("analytics.forms.timezone.now", lambda: datetime(2026, 4, 1, 0, 30, tzinfo=UTC))


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
def test_a_period_stands_for_start_and_end_on_the_api(ledger, ceo_client):
    by_period = ceo_client.get("/api/v1/analytics/summary/", {"period": "previous_year"}).json()
    by_dates = ceo_client.get(
        "/api/v1/analytics/summary/", {"start": "2025-01-01", "end": "2025-12-31"}
    ).json()
    this_quarter = ceo_client.get(
        "/api/v1/analytics/revenue/", {"period": "quarter_to_date", "group_by": "day"}
    )

    assert by_period == by_dates
    assert [row["period"] for row in this_quarter.json()] == ["2026-04-01"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params", [{"period": "last_week"}, {"period": "today", "start": "2026-01-01"}], ids=["unknown", "both"]
)
def test_a_bad_or_doubled_period_is_400(ceo_client, params):
    response = ceo_client.get("/api/v1/analytics/summary/", params)

    assert response.status_code == 400
    assert "period" in response.json()
