"""Customer analytics on hand-made sales: new vs returning per period, repeat rate, revenue per
customer; a customer's first paid sale decides, even before the window."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import CustomerFactory
from analytics.selectors import SalesFilters, customer_summary
from catalog.tests.factories import ProductFactory, channel
from orders.models import OrderStatus
from orders.tests.factories import OrderFactory

from .conftest import at, record_reversal, record_sale

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def buyers():
    lamp = ProductFactory()
    ann, bob, cat = CustomerFactory(), CustomerFactory(), CustomerFactory()
    for customer, day, revenue in [
        (ann, "2026-01-10", "10.00"),
        (ann, "2026-02-05", "20.00"),
        (bob, "2026-02-20", "40.00"),
        (ann, "2026-03-03", "30.00"),
        (cat, "2026-03-15", "50.00"),
    ]:
        order = OrderFactory(customer=customer, status=OrderStatus.PAID)
        record_sale(order, at(day), (lamp, 1, revenue, "1.00"))
    return ann, bob, cat


@pytest.fixture(params=["rollup", "ledger"])
def categories(request):
    """A category filter that keeps every sale: with it the ledger answers, without it
    (None) the DailyCustomers rollup; the numbers must not change."""
    from orders.models import SalesRecord

    if request.param == "rollup":
        return None
    return tuple(set(SalesRecord.objects.values_list("category_id", flat=True)))


def test_new_and_returning_per_month_count_the_first_purchase_before_the_window(buyers, categories):
    rows = customer_summary(
        filters=SalesFilters(start=date(2026, 2, 1), end=date(2026, 3, 31), category_ids=categories)
    )

    assert rows == [
        {
            "period": date(2026, 2, 1),
            "customers": 2,
            "new": 1,
            "returning": 1,
            "repeat_rate": D("0.5000"),
            "revenue_per_customer": D("30.00"),
        },
        {
            "period": date(2026, 3, 1),
            "customers": 2,
            "new": 1,
            "returning": 1,
            "repeat_rate": D("0.5000"),
            "revenue_per_customer": D("40.00"),
        },
    ]
    # whole months are read from the cohort counts; a window from the 2nd counts per customer
    # instead, and nobody bought on the 1st
    assert rows == customer_summary(
        filters=SalesFilters(start=date(2026, 2, 2), end=date(2026, 3, 31), category_ids=categories)
    )


def test_the_customers_page_counts_the_cohorts_once_for_both_tables(
    buyers, client, salesperson, django_assert_num_queries
):
    client.force_login(salesperson)
    client.get("/reports/customers/")  # the session, the user and the page's choices, then cached

    # session, user, permissions x2, the cohort counts, revenue per month, categories, channels,
    # the user's own subscriptions to the page (its Subscribe control)
    with django_assert_num_queries(9):
        response = client.get("/reports/customers/", {"period": "year_to_date"})

    assert response.status_code == 200


def test_the_api_by_year_and_the_role_rule(buyers, ceo_client, customer_client):
    response = ceo_client.get("/api/v1/analytics/customers/summary/", {"group_by": "year"})

    assert response.status_code == 200
    assert response.json() == [
        {
            "period": "2026-01-01",
            "customers": 3,
            "new": 3,
            "returning": 0,
            "repeat_rate": "0.0000",
            "revenue_per_customer": "50.00",
        },
    ]
    assert customer_client.get("/api/v1/analytics/customers/summary/").status_code == 403


def _retention(cohort) -> list[tuple]:
    return [(month["offset"], month["customers"], month["share"]) for month in cohort["retention"]]


def test_monthly_cohorts_by_first_purchase_with_retention(buyers, categories):
    from analytics.selectors import customer_cohorts

    cohorts = customer_cohorts(filters=SalesFilters(category_ids=categories))
    later = customer_cohorts(filters=SalesFilters(start=date(2026, 2, 1), category_ids=categories))

    assert [(c["cohort"], c["customers"], _retention(c)) for c in cohorts] == [
        ("2026-01", 1, [(0, 1, D("1.0000")), (1, 1, D("1.0000")), (2, 1, D("1.0000"))]),
        ("2026-02", 1, [(0, 1, D("1.0000")), (1, 0, D("0.0000"))]),
        ("2026-03", 1, [(0, 1, D("1.0000"))]),
    ]
    assert [c["cohort"] for c in later] == ["2026-02", "2026-03"]  # January's began before


def test_the_cohort_csv_has_a_column_per_month_since(buyers, client, salesperson):
    client.force_login(salesperson)

    response = client.get("/reports/customers/", {"format": "csv", "table": "cohorts"})

    lines = response.content.decode().splitlines()
    assert lines[0] == "cohort,customers,month_0,month_1,month_2"
    assert lines[2] == "2026-02,1,1.0000,0.0000,"


@pytest.fixture
def scored_customers():
    lamp = ProductFactory()
    people = [CustomerFactory() for _ in range(5)]
    # (orders, day of the last one, revenue per order)
    history = [(5, "2026-03-30", "100.00"), (4, "2026-03-20", "100.00"), (3, "2026-02-10", "100.00"),
               (1, "2026-01-05", "50.00"), (1, "2026-03-29", "20.00")]  # fmt: skip
    for person, (orders, last, revenue) in zip(people, history, strict=True):
        for _ in range(orders):
            record_sale(
                OrderFactory(customer=person, status=OrderStatus.PAID), at(last), (lamp, 1, revenue, "1.00")
            )
    return people


def test_rfm_scores_segments_and_pages(scored_customers, categories):
    from analytics.selectors import customer_rfm

    c1, c2, c3, c4, c5 = scored_customers
    rfm = customer_rfm(filters=SalesFilters(category_ids=categories), as_of=date(2026, 3, 31))

    scores = {
        row["customer"]: (row["recency_days"], row["r"], row["f"], row["m"], row["segment"])
        for row in rfm["customers"]
    }
    assert scores == {
        c1.pk: (1, 5, 5, 5, "champions"),
        c2.pk: (11, 3, 4, 4, "loyal"),
        c3.pk: (49, 2, 3, 3, "at_risk"),
        c4.pk: (85, 1, 1, 2, "lost"),
        c5.pk: (2, 4, 2, 1, "new"),
    }
    assert [(s["segment"], s["customers"], s["revenue"], s["share"]) for s in rfm["segments"]] == [
        ("champions", 1, D("500.00"), D("0.3937")),
        ("loyal", 1, D("400.00"), D("0.3150")),
        ("new", 1, D("20.00"), D("0.0157")),
        ("at_risk", 1, D("300.00"), D("0.2362")),
        ("lost", 1, D("50.00"), D("0.0394")),
        ("need_attention", 0, D("0.00"), D("0.0000")),
    ]
    assert [row["customer"] for row in rfm["customers"]] == [c1.pk, c2.pk, c3.pk, c4.pk, c5.pk]  # by revenue
    # as of today the per-customer totals answer (without a category): the same scores
    today = timezone.now().date()
    later = (today - date(2026, 3, 31)).days
    now = customer_rfm(filters=SalesFilters(category_ids=categories), as_of=today)
    assert now["segments"] == rfm["segments"]
    assert [{**row, "recency_days": row["recency_days"] - later} for row in now["customers"]] == rfm[
        "customers"
    ]
    # a channel filter keeps that channel's rows of either rollup (all these sales were on the web)
    everyone = SalesFilters(category_ids=categories)
    web, phone = (
        SalesFilters(channel_id=channel(code).pk, category_ids=categories) for code in ("web", "phone")
    )
    for day in (date(2026, 3, 31), today):
        assert customer_rfm(filters=web, as_of=day) == customer_rfm(filters=everyone, as_of=day)
        assert customer_rfm(filters=phone, as_of=day)["customers"] == []
    page = customer_rfm(
        filters=SalesFilters(category_ids=categories), as_of=date(2026, 3, 31), page=2, page_size=2
    )
    assert [row["customer"] for row in page["customers"]] == [c3.pk, c4.pk]


def test_the_rfm_api_filters_a_segment(scored_customers, salesperson_client):
    response = salesperson_client.get(
        "/api/v1/analytics/customers/rfm/", {"as_of": "2026-03-31", "segment": "lost"}
    )

    assert response.status_code == 200
    body = response.json()
    assert [row["email"] for row in body["customers"]] == [scored_customers[3].email]
    assert len(body["segments"]) == 6
    assert salesperson_client.get("/api/v1/analytics/customers/rfm/", {"segment": "vip"}).status_code == 400


def test_a_refund_on_a_later_day_lowers_the_value_but_is_no_purchase(buyers, categories):
    from analytics.selectors import customer_cohorts, customer_rfm
    from orders.models import SalesRecord

    bob = buyers[1]
    record_reversal(list(SalesRecord.objects.filter(customer=bob)), at("2026-04-02"))  # Feb's order
    april = SalesFilters(start=date(2026, 4, 1), end=date(2026, 4, 30), category_ids=categories)

    assert [(row["customers"], row["new"]) for row in customer_summary(filters=april)] == [(0, 0)]
    scored = customer_rfm(filters=SalesFilters(category_ids=categories), as_of=date(2026, 4, 30))
    bobs = next(row for row in scored["customers"] if row["customer"] == bob.pk)
    assert (bobs["recency_days"], bobs["orders"], bobs["revenue"]) == (69, 1, D("0.00"))  # still Feb 20
    february = customer_cohorts(filters=SalesFilters(end=date(2026, 4, 30), category_ids=categories))[1]
    assert (february["cohort"], _retention(february)) == (
        "2026-02",
        [(0, 1, D("1.0000")), (1, 0, D("0.0000")), (2, 0, D("0.0000"))],
    )
