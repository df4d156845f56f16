"""Targets: the formulas on the span's days, actuals equal to `summary/`, the role matrix,
validation, bounded queries, the Targets page and the target line on the revenue chart."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail

from analytics.models import Target
from analytics.subscriptions import report_subscription_create, reports_send_due
from analytics.targets.formulas import phased_amount, progress
from analytics.targets.services import target_create
from audit.models import AuditEntry
from catalog.models import SalesChannel
from catalog.tests.factories import CategoryFactory

from .conftest import page_text

URL = "/api/v1/targets/"
PROGRESS = "/api/v1/analytics/targets/"
MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}  # 31 days


@pytest.mark.parametrize(
    ("as_of", "expected", "pace", "projected"),
    [
        (date(2026, 2, 20), "0.00", None, None),  # before the start: nothing expected yet
        (date(2026, 3, 1), "10.00", "10.0000", "3100.00"),  # the first day counts: 1 of 31
        (date(2026, 3, 16), "160.00", "0.6250", "193.75"),  # 16 of 31
        (date(2026, 3, 31), "310.00", "0.3226", "100.00"),  # the last day: all of it
        (date(2026, 4, 15), "310.00", "0.3226", "100.00"),  # after the end: as on the last day
    ],
)
def test_the_formulas_over_the_span(as_of, expected, pace, projected):
    figures = progress(amount=Decimal("310.00"), actual=Decimal("100.00"), as_of=as_of, **MARCH)

    assert figures.attainment == Decimal("0.3226")
    assert figures.expected == Decimal(expected)
    assert figures.pace == (None if pace is None else Decimal(pace))
    assert figures.projected == (None if projected is None else Decimal(projected))


def test_a_target_phased_into_buckets():
    amount = Decimal("310.00")
    assert phased_amount(amount, **MARCH, first=date(2026, 3, 30), last=date(2026, 4, 5)) == Decimal("20.00")
    assert phased_amount(amount, **MARCH, first=date(2026, 4, 1), last=date(2026, 4, 30)) is None
    assert phased_amount(amount, **MARCH, first=date(2026, 1, 1), last=date(2026, 12, 31)) == amount


def _target(ceo, **fields) -> Target:
    values = {"name": "March", "metric": "revenue", "amount": Decimal("310.00"), **MARCH, **fields}
    return target_create(actor=ceo, **values)


@pytest.mark.django_db
@pytest.mark.parametrize("metric", ["revenue", "orders", "units", "profit"])
@pytest.mark.parametrize(
    "filters", [{}, {"channel": "web"}, {"category": "electronics"}, {"category": "books"}]
)
def test_actual_equals_the_summary_for_the_same_filters(
    ledger, ceo, ceo_client, sales_source, metric, filters
):
    channel = SalesChannel.objects.get(code=filters["channel"]) if "channel" in filters else None
    category = getattr(ledger.category, filters["category"]) if "category" in filters else None
    _target(ceo, metric=metric, channel=channel, category=category, start=date(2026, 1, 1))

    row = ceo_client.get(PROGRESS, {"as_of": "2026-03-20"}).json()[0]
    summary = ceo_client.get(
        "/api/v1/analytics/summary/", {"start": "2026-01-01", "end": "2026-03-20", **filters}
    )

    assert Decimal(row["actual"]) == Decimal(str(summary.json()[metric]))
    assert row["channel"] == filters.get("channel") and row["category"] == filters.get("category")


@pytest.mark.django_db
def test_progress_as_json(ledger, ceo, salesperson_client):
    web = SalesChannel.objects.get(code="web")
    _target(ceo, name="March web", channel=web)  # O3: 200.00 on 10 March
    _target(ceo, name="Next year", start=date(2027, 1, 1), end=date(2027, 12, 31))

    rows = salesperson_client.get(PROGRESS, {"as_of": "2026-03-16"}).json()

    assert rows[0] == {
        "id": rows[0]["id"],
        "name": "March web",
        "metric": "revenue",
        "start": "2026-03-01",
        "end": "2026-03-31",
        "channel": "web",
        "category": None,
        "amount": "310.00",
        "actual": "200.00",
        "attainment": "0.6452",
        "expected": "160.00",
        "pace": "1.2500",
        "projected": "387.50",
    }
    assert (rows[1]["actual"], rows[1]["expected"], rows[1]["pace"], rows[1]["projected"]) == (
        "0.00",
        "0.00",
        None,
        None,
    )
    assert salesperson_client.get(PROGRESS, {"as_of": "someday"}).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "read", "write"),
    [("anonymous", 401, 401), ("customer", 403, 403), ("salesperson", 200, 403), ("ceo", 200, None)],
)
def test_the_role_matrix(ledger, ceo, role_clients, role, read, write):
    target = _target(ceo)
    client = role_clients[role]
    body = {"name": "Q2", "metric": "orders", "start": "2026-04-01", "end": "2026-06-30", "amount": "90"}

    assert client.get(URL).status_code == read
    assert client.get(f"{URL}{target.pk}/").status_code == read
    assert client.get(PROGRESS).status_code == read
    if write is None:
        return
    logged = AuditEntry.objects.count()
    assert client.post(URL, body, format="json").status_code == write
    assert client.patch(f"{URL}{target.pk}/", {"amount": "1"}, format="json").status_code == write
    assert client.delete(f"{URL}{target.pk}/").status_code == write
    assert list(Target.objects.values_list("name", "amount")) == [("March", Decimal("310.00"))]
    assert AuditEntry.objects.count() == logged  # refused: nothing changed, nothing logged


@pytest.mark.django_db
def test_the_ceo_writes_targets_audited_and_validated(ledger, ceo_client):
    body = {
        "name": "Books Q2",
        "metric": "units",
        "start": "2026-04-01",
        "end": "2026-06-30",
        "category": "books",
        "channel": None,
        "amount": "90",
    }

    created = ceo_client.post(URL, body, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json() == {**body, "id": pk, "amount": "90.00"}
    changed = ceo_client.patch(f"{URL}{pk}/", {"amount": "120.50", "channel": "web"}, format="json")
    assert (changed.json()["amount"], changed.json()["channel"]) == ("120.50", "web")

    backwards = ceo_client.patch(f"{URL}{pk}/", {"end": "2026-03-01"}, format="json")
    nothing = ceo_client.post(URL, {**body, "amount": "0"}, format="json")
    negative = ceo_client.post(URL, {**body, "amount": "-5", "end": "2026-01-01"}, format="json")
    assert (backwards.status_code, nothing.status_code, negative.status_code) == (400, 400, 400)
    assert backwards.json() == {"end": ["The end date must not be before the start date."]}
    assert nothing.json() == {"amount": ["The amount must be greater than zero."]}
    assert set(negative.json()) == {"amount", "end"}
    assert ceo_client.post(URL, {**body, "metric": "margin"}, format="json").status_code == 400
    assert Target.objects.get().end == date(2026, 6, 30)

    assert ceo_client.delete(f"{URL}{pk}/").status_code == 204
    entries = AuditEntry.objects.filter(entity_type__icontains="target").order_by("id")
    actions = list(entries.values_list("action", flat=True))
    assert actions == ["create", "update", "delete"]


@pytest.mark.django_db
def test_progress_queries_do_not_grow_with_the_targets(
    ledger, ceo, ceo_client, django_assert_max_num_queries
):
    """Every target from one table is one conditional sum in one query: with the rollups, at
    most DailySales, DailyOrders and the ledger (orders with a category), plus the targets."""
    ceo_client.get("/api/v1/users/me/")  # the signed-in user comes from the auth cache from now on
    categories = [ledger.category.books, ledger.category.electronics, None]
    channels = [*SalesChannel.objects.all(), None]

    def add(count: int) -> None:
        for index in range(count):
            _target(
                ceo,
                name=f"T{index}",
                metric=("revenue", "orders", "units", "profit")[index % 4],
                category=categories[index % 3],
                channel=channels[index % len(channels)],
                start=date(2026, 1, 1 + index % 28),
            )

    add(4)
    with django_assert_max_num_queries(6) as few:
        assert len(ceo_client.get(PROGRESS, {"as_of": "2026-03-20"}).json()) == 4
    add(40)
    with django_assert_max_num_queries(6) as many:
        assert len(ceo_client.get(PROGRESS, {"as_of": "2026-03-20"}).json()) == 44
    assert len(many.captured_queries) == len(few.captured_queries)
    listed = ceo_client.get(URL)
    with django_assert_max_num_queries(4):
        ceo_client.get(URL)
    assert listed.json()["count"] == 44


@pytest.mark.django_db
def test_the_targets_page(ledger, ceo, client, salesperson):
    _target(ceo, name="March web", channel=SalesChannel.objects.get(code="web"))
    _target(ceo, name="Phones units", metric="units", category=ledger.category.phones, amount=Decimal("10"))
    client.force_login(salesperson)

    html = page_text(client.get("/reports/targets/", {"as_of": "2026-03-16"}).content.decode())

    assert 'href="/reports/targets/"' in html
    assert "March web" in html and "Attained, per target" in html and "<svg" in html
    assert '<td class="num">310.00 EUR</td>' in html and '<td class="num">200.00 EUR</td>' in html
    assert "64.5 %" in html and "125.0 %" in html  # attained, pace
    assert '<td class="num">10</td>' in html and "10 EUR" not in html  # units are a count
    assert "<td>Phones</td>" in html and "<td>phones</td>" not in html  # what it counts, in words
    assert "Revenue" in html and "revenue" not in html.split("<tbody>", 1)[1].split("</tbody>")[0]


@pytest.mark.django_db
def test_the_targets_page_without_targets_says_so(ledger, client, salesperson):
    client.force_login(salesperson)
    html = client.get("/reports/targets/").content.decode()
    assert "No targets set yet" in html and "No sales in this period" not in html


@pytest.mark.django_db
def test_the_revenue_chart_draws_a_matching_target(ledger, ceo, client, salesperson):
    web = SalesChannel.objects.get(code="web")
    _target(ceo, name="March web", channel=web)
    _target(ceo, name="March all channels")  # another channel filter: not on the web chart
    _target(ceo, name="March units web", metric="units", channel=web)  # another metric
    client.force_login(salesperson)
    query = {"start": "2026-02-01", "end": "2026-04-30", "group_by": "month", "channel": "web"}

    html = client.get("/reports/revenue/", query).content.decode()
    other = client.get("/reports/revenue/", {**query, "category": CategoryFactory().slug}).content.decode()

    assert "Target: March web" in html and "310.00 EUR" in html  # March's bucket holds all of it
    assert "March all channels" not in html and "March units web" not in html
    assert "Target:" not in other


@pytest.mark.django_db
def test_the_targets_page_can_be_e_mailed(ledger, ceo, salesperson):
    _target(ceo, name="March web", channel=SalesChannel.objects.get(code="web"))
    report_subscription_create(
        user=salesperson, actor=salesperson, report="targets", frequency="daily", hour=7
    )

    assert reports_send_due(force=True) == 1

    html = mail.outbox[0].alternatives[0][0]
    assert "March web" in html and "Attained, per target" in html and "310.00 EUR" in html
    assert [name for name, _, _ in mail.outbox[0].attachments] == ["targets.csv"]


@pytest.mark.django_db
def test_targets_in_sequence_share_a_line_and_overlapping_ones_get_their_own(
    ledger, ceo, client, salesperson
):
    web = SalesChannel.objects.get(code="web")
    _target(ceo, name="March web", channel=web)
    _target(ceo, name="April web", channel=web, start=date(2026, 4, 1), end=date(2026, 4, 30))
    _target(ceo, name="Half year web", channel=web, start=date(2026, 1, 1), end=date(2026, 6, 30))
    client.force_login(salesperson)
    query = {"start": "2026-02-01", "end": "2026-04-30", "group_by": "month", "channel": "web"}

    html = client.get("/reports/revenue/", query).content.decode()

    assert "Target: Half year web" in html and ">Targets<" in html
    assert "March web" not in html  # its line is named "Targets": it carries April's too


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/targets/", "/api/v1/report-alerts/"])
def test_a_category_or_channel_no_slug_can_be_is_a_400(ceo_client, path):
    """Found by the fuzzer: a NUL in the category reached PostgreSQL, which refused it (500)."""
    body = {
        "name": "n",
        "metric": "revenue",
        "start": "2026-01-01",
        "end": "2026-01-31",
        "amount": "10.00",
        "period": "today",
        "condition": "below",
        "value": "1",
    }
    for field in ("category", "channel"):
        response = ceo_client.post(path, {**body, field: "a\x00b"}, format="json")

        assert response.status_code == 400
        assert field in response.json()
