"""Report e-mails go out at their hour of the business's day (SALES_TIME_ZONE), Mondays and 1sts
being the business's too; the wall-clock hour holds across a clock change."""

from datetime import UTC, datetime

import pytest
from django.core import mail

from analytics.models import ReportDelivery, ReportSubscription
from analytics.subscriptions import (
    due_at,
    next_due,
    report_subscription_create,
    reports_send_due,
    schedule_in_words,
)


@pytest.fixture
def in_los_angeles(settings):
    settings.SALES_TIME_ZONE = settings.TIME_ZONE = "America/Los_Angeles"


def _subscription(frequency: str = "daily", hour: int = 7) -> ReportSubscription:
    return ReportSubscription(report="channels", frequency=frequency, hour=hour)


@pytest.mark.usefixtures("in_los_angeles")
@pytest.mark.parametrize(
    ("frequency", "hour", "now", "expected"),
    [
        # 07:00 in Los Angeles in March (PDT, UTC-7) is 14:00 UTC
        ("daily", 7, datetime(2026, 3, 25, 15, 30, tzinfo=UTC), datetime(2026, 3, 25, 14, tzinfo=UTC)),
        ("daily", 7, datetime(2026, 3, 25, 13, 59, tzinfo=UTC), datetime(2026, 3, 24, 14, tzinfo=UTC)),
        # Monday 03:00 UTC is still Sunday evening in Los Angeles: the last Monday 22:00 there was the 23rd
        ("weekly", 22, datetime(2026, 3, 30, 3, tzinfo=UTC), datetime(2026, 3, 24, 5, tzinfo=UTC)),
        # 1 April 03:00 UTC is 31 March in Los Angeles: the last 1st at 06:00 there was 1 March (PST)
        ("monthly", 6, datetime(2026, 4, 1, 3, tzinfo=UTC), datetime(2026, 3, 1, 14, tzinfo=UTC)),
    ],
)
def test_the_hour_and_the_days_are_the_businesss(frequency, hour, now, expected):
    assert due_at(_subscription(frequency, hour), now) == expected


@pytest.mark.usefixtures("in_los_angeles")
def test_the_hour_holds_across_a_clock_change():
    """Clocks go forward on 8 March 2026 in Los Angeles: 07:00 is 15:00 UTC before, 14:00 after."""
    saturday_morning = datetime(2026, 3, 7, 16, tzinfo=UTC)  # 08:00 PST

    assert next_due(_subscription(), saturday_morning) == datetime(2026, 3, 8, 14, tzinfo=UTC)
    assert due_at(_subscription(), datetime(2026, 3, 8, 14, 30, tzinfo=UTC)) == datetime(
        2026, 3, 8, 14, tzinfo=UTC
    )
    assert due_at(_subscription(), datetime(2026, 3, 8, 13, 30, tzinfo=UTC)) == datetime(
        2026, 3, 7, 15, tzinfo=UTC
    )


@pytest.mark.usefixtures("in_los_angeles")
def test_the_schedule_names_the_zone():
    assert schedule_in_words(_subscription("weekly", 5)) == "every Monday at 05:00 America/Los_Angeles"


@pytest.mark.django_db
@pytest.mark.usefixtures("in_los_angeles")
def test_the_email_goes_out_at_the_local_hour_and_says_it(ledger, salesperson):
    subscription = report_subscription_create(
        user=salesperson, actor=salesperson, report="channels", filters={"period": "yesterday"},
        frequency="daily", hour=7,
    )  # fmt: skip
    ReportSubscription.objects.filter(pk=subscription.pk).update(created_at=datetime(2026, 1, 1, tzinfo=UTC))

    at_seven_utc = reports_send_due(now=datetime(2026, 4, 2, 7, 5, tzinfo=UTC))  # 00:05 in Los Angeles
    mail.outbox.clear()
    at_seven_local = reports_send_due(now=datetime(2026, 4, 2, 14, 5, tzinfo=UTC))

    assert (at_seven_utc, at_seven_local) == (1, 1)  # the first: 1 April's, not yet sent
    deliveries = ReportDelivery.objects.filter(subscription=subscription).order_by("due_at")
    assert list(deliveries.values_list("due_at", flat=True)) == [
        datetime(2026, 4, 1, 14, tzinfo=UTC),
        datetime(2026, 4, 2, 14, tzinfo=UTC),
    ]
    [message] = mail.outbox
    assert "2026-04-02" in message.subject
    assert "2 Apr 2026 07:00 America/Los_Angeles" in message.body
    assert "2 Apr 2026 07:00 America/Los_Angeles" in message.alternatives[0][0]
