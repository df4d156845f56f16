"""Report subscriptions: due times per frequency and hour, one e-mail per due time even with
two workers, attachments, nothing for a subscriber who lost staff access, the API's roles."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.roles import Role
from accounts.services import user_update
from accounts.tests.factories import CustomerFactory
from analytics.models import ReportDelivery, ReportSubscription
from analytics.subscriptions import due_at, report_subscription_create, reports_send_due
from catalog.tests.factories import ProductFactory, channel
from orders.models import OrderStatus
from orders.tests.factories import OrderFactory

from .conftest import record_sale

URL = "/api/v1/report-subscriptions/"
MADE = datetime(2026, 1, 1, tzinfo=UTC)


def _subscription(**fields) -> ReportSubscription:
    return ReportSubscription(report="channels", frequency="daily", hour=7, **fields)


@pytest.mark.parametrize(
    ("frequency", "now", "expected"),
    [
        ("daily", datetime(2026, 3, 4, 7, 0, tzinfo=UTC), datetime(2026, 3, 4, 7, tzinfo=UTC)),
        ("daily", datetime(2026, 3, 4, 6, 59, tzinfo=UTC), datetime(2026, 3, 3, 7, tzinfo=UTC)),
        ("weekly", datetime(2026, 3, 4, 12, tzinfo=UTC), datetime(2026, 3, 2, 7, tzinfo=UTC)),  # a Wednesday
        (
            "weekly",
            datetime(2026, 3, 2, 6, tzinfo=UTC),
            datetime(2026, 2, 23, 7, tzinfo=UTC),
        ),  # Monday, early
        ("monthly", datetime(2026, 3, 1, 7, 30, tzinfo=UTC), datetime(2026, 3, 1, 7, tzinfo=UTC)),
        ("monthly", datetime(2026, 3, 1, 6, tzinfo=UTC), datetime(2026, 2, 1, 7, tzinfo=UTC)),
    ],
)
def test_due_time_per_frequency_and_hour(frequency, now, expected):
    assert due_at(ReportSubscription(report="channels", frequency=frequency, hour=7), now) == expected


@pytest.fixture
def subscribed(ledger, salesperson):
    subscription = report_subscription_create(
        user=salesperson, actor=salesperson, report="channels", filters={"period": "previous_month"},
        frequency="daily", hour=7,
    )  # fmt: skip
    ReportSubscription.objects.filter(pk=subscription.pk).update(created_at=MADE)
    return subscription


@pytest.mark.django_db
def test_one_email_per_due_time_with_the_tables_and_csv_attachments(subscribed, salesperson):
    now = datetime(2026, 4, 2, 7, 5, tzinfo=UTC)

    first, second = reports_send_due(now=now), reports_send_due(now=now)
    later = reports_send_due(now=datetime(2026, 4, 3, 7, 1, tzinfo=UTC))

    assert (first, second, later) == (1, 0, 1)
    message = mail.outbox[0]
    assert message.to == [salesperson.email]
    assert "Sales by channel" in message.subject
    html = message.alternatives[0][0]
    assert "<table" in html and "/reports/channels/?period=previous_month" in html
    assert [name for name, _, _ in message.attachments] == ["channels.csv"]
    assert message.attachments[0][1].startswith("rank,channel,name,revenue,orders,share")


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["banned", "demoted"])
def test_a_subscriber_who_lost_staff_access_gets_nothing(subscribed, salesperson, ceo, change):
    if change == "banned":
        user_update(user=salesperson, actor=ceo, data={"is_active": False})
    else:
        user_update(user=salesperson, actor=ceo, data={"role": Role.CUSTOMER})
    salesperson.refresh_from_db()

    assert reports_send_due(now=datetime(2026, 4, 2, 8, tzinfo=UTC)) == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_send_reports_now_sends_every_active_one(subscribed):
    out = StringIO()

    call_command("send_reports", "--now", stdout=out)

    assert "1 report e-mail(s) sent." in out.getvalue()
    assert len(mail.outbox) == 1


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_one_email(ledger, salesperson):
    report_subscription_create(
        user=salesperson, actor=salesperson, report="channels", frequency="daily", hour=7
    )
    ReportSubscription.objects.update(created_at=MADE)
    now = datetime(2026, 4, 2, 7, 5, tzinfo=UTC)
    start = threading.Barrier(2)

    def worker():
        try:
            start.wait(timeout=30)
            return reports_send_due(now=now)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        sent = [future.result() for future in [pool.submit(worker), pool.submit(worker)]]

    assert sorted(sent) == [0, 1]
    assert ReportDelivery.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_api_role_matrix_and_validation(role_clients, salesperson, ceo):
    body = {
        "report": "abc",
        "filters": {"period": "last_30_days", "by": "profit"},
        "frequency": "weekly",
        "hour": 6,
    }

    created = role_clients["salesperson"].post(URL, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["user"] == salesperson.pk
    rfm = {**body, "report": "rfm", "filters": {"segment": "lost"}}
    assert role_clients["ceo"].post(URL, rfm, format="json").status_code == 201
    assert role_clients["customer"].get(URL).status_code == 403
    assert role_clients["anonymous"].get(URL).status_code == 401
    assert [s["report"] for s in role_clients["salesperson"].get(URL).json()["results"]] == ["abc"]
    assert sorted(s["report"] for s in role_clients["ceo"].get(URL).json()["results"]) == ["abc", "rfm"]
    fixed_dates = {**body, "filters": {"start": "2026-01-01"}}
    assert role_clients["salesperson"].post(URL, fixed_dates, format="json").status_code == 400
    assert role_clients["salesperson"].post(URL, {**body, "report": "nope"}, format="json").status_code == 400
    assert role_clients["salesperson"].post(URL, {**body, "hour": 24}, format="json").status_code == 400
    assert ReportSubscription.objects.count() == 2


@pytest.mark.django_db
def test_the_subscribe_button_saves_the_pages_filters(ledger, client, salesperson):
    client.force_login(salesperson)
    page = client.get("/reports/abc/", {"period": "previous_month", "by": "units"}).content.decode()
    assert 'action="/reports/abc/subscribe/"' in page

    response = client.post(
        "/reports/abc/subscribe/",
        {"period": "previous_month", "by": "units", "frequency": "monthly", "hour": "6"},
    )

    assert response.status_code == 302
    subscription = ReportSubscription.objects.get()
    assert (subscription.filters, subscription.frequency, subscription.hour) == (
        {"period": "previous_month", "by": "units"},
        "monthly",
        6,
    )


@pytest.mark.django_db
def test_filters_that_are_not_the_pages_are_refused_not_stored(role_clients):
    body = {"report": "abc", "frequency": "weekly", "hour": 6}

    odd_key = role_clients["salesperson"].post(
        URL, data='{"report": "abc", "frequency": "weekly", "hour": 6, "filters": {"\\u0000": "x"}}',
        content_type="application/json",
    )  # fmt: skip
    unknown = role_clients["salesperson"].post(URL, {**body, "filters": {"colour": "red"}}, format="json")

    assert (odd_key.status_code, unknown.status_code) == (400, 400)
    assert "filters" in unknown.json()
    assert not ReportSubscription.objects.exists()


@pytest.mark.django_db
def test_the_admin_shows_staff_their_own_subscriptions_and_the_ceo_everyones(client, salesperson, ceo):
    from django.urls import reverse

    mine = report_subscription_create(
        user=salesperson, actor=salesperson, report="channels", frequency="daily", hour=7
    )
    theirs = report_subscription_create(user=ceo, actor=ceo, report="revenue", frequency="weekly", hour=8)
    changelist = reverse("admin:analytics_reportsubscription_changelist")
    client.force_login(salesperson)

    assert list(client.get(changelist).context["cl"].result_list) == [mine]
    other = client.get(reverse("admin:analytics_reportsubscription_change", args=[theirs.pk]))
    assert other.status_code == 302  # the admin's "does not exist" redirect
    add_form = client.get(reverse("admin:analytics_reportsubscription_add")).context["adminform"].form
    assert list(add_form.fields["user"].queryset) == [salesperson]  # subscribe oneself only
    for_the_ceo = {"user": ceo.pk, "report": "channels", "filters": "{}", "frequency": "daily", "hour": 9}
    refused = client.post(reverse("admin:analytics_reportsubscription_add"), for_the_ceo)
    assert refused.status_code == 200 and "user" in refused.context["adminform"].form.errors
    assert ReportSubscription.objects.count() == 2

    client.force_login(ceo)
    assert client.get(changelist).context["cl"].result_count == 2


@pytest.mark.django_db
def test_the_email_carries_the_pages_chart_drawn_by_the_same_layer(ledger, salesperson):
    order = OrderFactory(customer=CustomerFactory(), channel=channel("web"), status=OrderStatus.PAID)
    record_sale(order, timezone.now(), (ProductFactory(sku="MAIL"), 2, "80.00", "30.00"))
    report_subscription_create(
        user=salesperson, actor=salesperson, report="channels", filters={"period": "last_7_days"},
        frequency="daily", hour=7,
    )  # fmt: skip

    assert reports_send_due(force=True) == 1

    html = mail.outbox[0].alternatives[0][0]
    assert "Revenue by channel" in html and "<svg" in html and "80 EUR" in html
