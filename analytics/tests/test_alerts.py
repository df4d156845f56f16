"""Report alerts: each metric and condition, the check endpoint, one e-mail per alert and
period (also with two workers racing on PostgreSQL), the e-mail in words, roles, query counts
and the admin's list and Check now."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.services import user_update
from accounts.tests.factories import CustomerFactory
from analytics.alerts.services import (
    alerts_evaluate,
    report_alert_check,
    report_alert_create,
    report_alerts_check_due,
)
from analytics.models import ReportAlert, ReportAlertFiring
from audit.models import AuditEntry
from catalog.models import SalesChannel
from catalog.tests.factories import ProductFactory, channel
from orders.models import OrderStatus
from orders.tests.factories import OrderFactory

from .conftest import record_sale

URL = "/api/v1/report-alerts/"
TODAY = date(2026, 3, 25)
NOW = datetime(2026, 3, 25, 10, 5, tzinfo=UTC)


def _alert(user, **fields) -> ReportAlert:
    values = {
        "name": "Slow month",
        "metric": "revenue",
        "period": "month_to_date",
        "condition": "below",
        "value": Decimal("300"),
        **fields,
    }
    return report_alert_create(user=user, actor=user, **values)


# Month to date on 25 March (see conftest): revenue 200 + 60 - 60 + 20 = 220.00, cost 125.00,
# net orders 3 sold - 1 reversed = 2; sold revenue 280.00 of which 60.00 was given back.
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("metric", "value", "threshold_above", "threshold_below"),
    [
        ("revenue", "220.00", "200", "300"),
        ("orders", "2", "1", "3"),
        ("margin", "0.4318", "0.4", "0.5"),  # 95 / 220
        ("average_order_value", "110.00", "100", "150"),  # 220 / 2
        ("refund_rate", "0.2143", "0.2", "0.25"),  # 60 / 280
    ],
)
@pytest.mark.parametrize("condition", ["below", "above"])
def test_each_metric_and_condition(
    ledger, salesperson, sales_source, metric, value, threshold_above, threshold_below, condition
):
    crossed = threshold_below if condition == "below" else threshold_above
    kept = threshold_above if condition == "below" else threshold_below

    holds = report_alert_check(
        _alert(salesperson, metric=metric, condition=condition, value=Decimal(crossed)), today=TODAY
    )
    does_not = report_alert_check(
        _alert(salesperson, metric=metric, condition=condition, value=Decimal(kept)), today=TODAY
    )

    assert (holds.value, holds.triggered) == (Decimal(value), True)
    assert (does_not.value, does_not.triggered) == (Decimal(value), False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("period", "fields", "expected"),
    [
        ("today", {}, Decimal("20.00")),  # O5 at 23:30 on the 25th
        ("yesterday", {}, Decimal("0.00")),
        ("last_7_days", {}, Decimal("-40.00")),  # the reversal of the 20th, O5
        ("month_to_date", {"channel": "phone"}, Decimal("0.00")),  # sold and reversed
        ("month_to_date", {"category": "books"}, Decimal("20.00")),
    ],
)
def test_the_period_and_filters_of_an_alert(ledger, salesperson, period, fields, expected):
    scoped = {}
    if "channel" in fields:
        scoped["channel"] = SalesChannel.objects.get(code=fields["channel"])
    if "category" in fields:
        scoped["category"] = getattr(ledger.category, fields["category"])
    alert = _alert(salesperson, period=period, **scoped)

    assert report_alert_check(alert, today=TODAY).value == expected


@pytest.mark.django_db
def test_nothing_to_divide_by_is_no_alert(ledger, salesperson):
    for metric in ("margin", "average_order_value", "refund_rate"):
        quiet = report_alert_check(
            _alert(salesperson, metric=metric, period="yesterday", value=Decimal("0.5")), today=TODAY
        )
        assert (quiet.value, quiet.triggered) == (None, False)
    phone = SalesChannel.objects.get(code="phone")
    everything_back = _alert(
        salesperson, metric="refund_rate", condition="above", value=Decimal("0.5"), channel=phone
    )
    assert report_alert_check(everything_back, today=TODAY).value == Decimal("1.0000")


@pytest.mark.django_db
def test_once_per_alert_and_period_with_the_email_in_words(
    ledger, salesperson, django_capture_on_commit_callbacks
):
    alert = _alert(salesperson)
    _alert(salesperson, name="Refunds", metric="refund_rate", condition="above", value=Decimal("0.2"))
    _alert(salesperson, name="Off", is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        first = report_alerts_check_due(now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        again = report_alerts_check_due(now=NOW.replace(hour=11))
    with django_capture_on_commit_callbacks(execute=True):
        next_month = report_alerts_check_due(now=datetime(2026, 4, 2, 9, 5, tzinfo=UTC))

    # In April nothing has sold yet: revenue 0.00 is below, a refund rate has nothing to judge.
    assert (first, again, next_month) == (2, 0, 1)
    assert ReportAlertFiring.objects.filter(alert=alert).count() == 2
    alert.refresh_from_db()
    assert alert.last_triggered_at == datetime(2026, 4, 2, 9, 5, tzinfo=UTC)
    refunds, revenue = sorted(mail.outbox[:2], key=lambda message: message.subject)
    assert len(mail.outbox) == 3 and revenue.to == [salesperson.email]
    assert revenue.subject == "Alert “Slow month”: Revenue below 300.00 EUR"
    assert revenue.body.startswith(
        "Revenue for the month to date (1 Mar 2026 to 25 Mar 2026) is 220.00 EUR, "
        "below your threshold of 300.00 EUR."
    )
    assert refunds.subject == "Alert “Refunds”: Refund rate above 20.0 %"
    assert "Refund rate for the month to date (1 Mar 2026 to 25 Mar 2026) is 21.4 %" in refunds.body
    assert "refund_rate" not in refunds.body and "month_to_date" not in refunds.body


@pytest.mark.django_db
def test_the_email_names_the_channel_and_counts_orders(
    ledger, salesperson, django_capture_on_commit_callbacks
):
    retail = SalesChannel.objects.get(code="retail")
    _alert(
        salesperson,
        name="Retail today",
        metric="orders",
        period="today",
        condition="above",
        value=0,
        channel=retail,
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert report_alerts_check_due(now=NOW) == 1

    assert mail.outbox[0].body.startswith(
        f"Orders (channel {retail.name}) for today (25 Mar 2026) is 1, above your threshold of 0."
    )


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["banned", "demoted"])
def test_an_owner_who_lost_staff_access_gets_nothing(ledger, salesperson, ceo, change):
    _alert(salesperson)
    if change == "banned":
        user_update(user=salesperson, actor=ceo, data={"is_active": False})
    else:
        user_update(user=salesperson, actor=ceo, data={"role": "customer"})

    assert report_alerts_check_due(now=NOW) == 0
    assert not ReportAlertFiring.objects.exists() and mail.outbox == []


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_one_email(ledger, salesperson):
    _alert(salesperson)
    start = threading.Barrier(2)

    def worker():
        try:
            start.wait(timeout=30)
            return report_alerts_check_due(now=NOW)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        fired = [future.result() for future in [pool.submit(worker), pool.submit(worker)]]

    assert sorted(fired) == [0, 1]
    assert ReportAlertFiring.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_api_role_matrix_scoping_and_validation(ledger, role_clients, salesperson, ceo):
    body = {
        "name": "Refunds",
        "metric": "refund_rate",
        "period": "last_7_days",
        "condition": "above",
        "value": "0.1",
    }
    theirs = _alert(ceo, name="CEO's")

    created = role_clients["salesperson"].post(URL, {**body, "channel": "web"}, format="json")
    assert created.status_code == 201, created.json()
    mine = created.json()
    assert (mine["user"], mine["value"], mine["channel"], mine["is_active"]) == (
        salesperson.pk,
        "0.1000",
        "web",
        True,
    )
    assert mine["last_triggered_at"] is None and mine["category"] is None
    assert role_clients["customer"].get(URL).status_code == 403
    assert role_clients["customer"].post(URL, body, format="json").status_code == 403
    assert role_clients["anonymous"].get(URL).status_code == 401
    assert [a["name"] for a in role_clients["salesperson"].get(URL).json()["results"]] == ["Refunds"]
    assert sorted(a["name"] for a in role_clients["ceo"].get(URL).json()["results"]) == ["CEO's", "Refunds"]

    seller = role_clients["salesperson"]
    other = f"{URL}{theirs.pk}/"
    assert seller.get(other).status_code == 404
    assert seller.patch(other, {"value": "1"}, format="json").status_code == 404
    assert seller.post(f"{other}check/").status_code == 404
    assert seller.delete(other).status_code == 404
    assert role_clients["customer"].post(f"{other}check/").status_code == 403
    assert ReportAlert.objects.get(pk=theirs.pk).value == Decimal("300")

    bad_margin = seller.post(URL, {**body, "metric": "margin", "value": "25"}, format="json")
    assert bad_margin.status_code == 400 and list(bad_margin.json()) == ["value"]
    assert seller.post(URL, {**body, "metric": "profit"}, format="json").status_code == 400
    assert seller.post(URL, {**body, "period": "last_30_days"}, format="json").status_code == 400
    assert seller.post(URL, {**body, "condition": "equal"}, format="json").status_code == 400

    ceo_api = role_clients["ceo"]
    assert (
        ceo_api.patch(f"{URL}{mine['id']}/", {"is_active": False}, format="json").json()["is_active"] is False
    )
    assert ceo_api.delete(f"{URL}{mine['id']}/").status_code == 204
    entries = AuditEntry.objects.filter(entity_type__icontains="reportalert").order_by("id")
    assert list(entries.values_list("action", flat=True)) == ["create", "create", "update", "delete"]


@pytest.mark.django_db
def test_check_evaluates_now_without_emailing(ledger, salesperson, salesperson_client):
    order = OrderFactory(customer=CustomerFactory(), channel=channel("web"), status=OrderStatus.PAID)
    record_sale(order, timezone.now(), (ProductFactory(sku="NOW"), 2, "80.00", "30.00"))
    alert = _alert(salesperson, period="today", condition="above", value=Decimal("50"))

    response = salesperson_client.post(f"{URL}{alert.pk}/check/")

    assert response.status_code == 200
    assert response.json() == {"value": "80.0000", "triggered": True}
    assert mail.outbox == [] and not ReportAlertFiring.objects.exists()
    alert.refresh_from_db()
    assert alert.last_triggered_at is None


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_alerts(ledger, salesperson, ceo_client, django_assert_max_num_queries):
    ceo_client.get("/api/v1/users/me/")  # the signed-in user comes from the auth cache from now on
    metrics = ("revenue", "orders", "margin", "average_order_value", "refund_rate")
    books = ledger.category.books

    def add(count: int) -> None:
        for index in range(count):
            _alert(
                salesperson,
                name=f"A{index}",
                metric=metrics[index % 5],
                value=Decimal("1" if index % 5 == 1 else "0.5"),
                category=books if index % 2 else None,
            )

    add(3)
    with django_assert_max_num_queries(3) as few:
        assert ceo_client.get(URL).json()["count"] == 3
    add(30)
    with django_assert_max_num_queries(3) as many:
        assert ceo_client.get(URL).json()["count"] == 33
    assert len(many.captured_queries) == len(few.captured_queries)
    alerts = list(ReportAlert.objects.all())
    with django_assert_max_num_queries(
        4
    ):  # DailySales, DailyOrders, the ledger (orders by category, refunds)
        assert len(alerts_evaluate(alerts, today=TODAY)) == 33


@pytest.mark.django_db
def test_the_admin_lists_filters_and_checks_now(ledger, client, salesperson, ceo):
    mine = _alert(salesperson)
    theirs = _alert(ceo, name="CEO's", metric="orders", value=Decimal("5"))
    changelist = reverse("admin:analytics_reportalert_changelist")

    client.force_login(salesperson)
    assert list(client.get(changelist).context["cl"].result_list) == [mine]
    assert client.get(reverse("admin:analytics_reportalert_change", args=[theirs.pk])).status_code == 302

    client.force_login(ceo)
    assert client.get(changelist, {"metric": "orders"}).context["cl"].result_count == 1
    assert client.get(changelist, {"user__id__exact": salesperson.pk}).context["cl"].result_count == 1
    assert client.get(changelist, {"is_active__exact": "1"}).context["cl"].result_count == 2
    checked = client.post(
        changelist, {"action": "check_now", "_selected_action": [mine.pk, theirs.pk]}, follow=True
    ).content.decode()
    assert "would fire" in checked and "Slow month" in checked
    assert mail.outbox == [] and not ReportAlertFiring.objects.exists()


@pytest.mark.django_db
def test_the_admin_targets_list_saves_through_the_service(ledger, client, ceo, salesperson):
    add = reverse("admin:analytics_target_add")
    body = {"name": "Q2", "metric": "revenue", "start": "2026-04-01", "end": "2026-03-01", "amount": "0"}
    client.force_login(ceo)

    refused = client.post(add, body)
    form = refused.context["adminform"].form
    assert form.errors == {
        "end": ["The end date must not be before the start date."],
        "amount": ["The amount must be greater than zero."],
    }
    assert client.post(add, {**body, "end": "2026-06-30", "amount": "900"}).status_code == 302
    assert AuditEntry.objects.filter(entity_type__icontains="target", action="create").count() == 1
    changelist = reverse("admin:analytics_target_changelist")
    assert client.get(changelist, {"metric": "revenue"}).context["cl"].result_count == 1

    client.force_login(salesperson)
    assert client.get(changelist).status_code == 200  # reads
    assert client.post(add, {**body, "end": "2026-06-30", "amount": "900"}).status_code == 403


def test_the_beat_schedule_checks_alerts_hourly():
    entry = settings.CELERY_BEAT_SCHEDULE["check-report-alerts"]
    assert entry["task"] == "analytics.tasks.check_report_alerts"
    assert entry["schedule"].minute == {5} and len(entry["schedule"].hour) == 24
