"""What a manager sees in a report page's forms: the default period named, the current period
marked "to date", the Subscribe control (confirmation, own subscriptions, Unsubscribe that
refuses another's), and RFM scored as of a period's last day on the page and in the API."""

from datetime import date, timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CustomerFactory
from analytics.forms import RevenueForm
from analytics.models import ReportSubscription
from analytics.reports import RevenueReport
from analytics.subscriptions import next_due, report_subscription_create
from analytics.tests.conftest import record_sale
from analytics.views.reports import marked_to_date
from audit.models import AuditEntry
from catalog.tests.factories import ProductFactory, channel
from orders.models import OrderStatus
from orders.tests.factories import OrderFactory
from salesbackend import formatting

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(client, salesperson):
    client.force_login(salesperson)
    return client


def _html(response) -> str:
    return unescape(response.content.decode())


def _selected_period(html: str) -> str:
    """The text of the period select's selected option."""
    select = html[html.index('<select name="period"') :]
    select = select[: select.index("</select>")]
    option = select[select.index("selected") :]
    return option[option.index(">") + 1 : option.index("</option>")]


# 1. The default period says what it is; the current period is marked "to date".


def test_without_dates_the_period_reads_all_time_never_a_blank_custom_range(ledger, browser):
    html = _html(browser.get(reverse("reports:revenue")))

    assert _selected_period(html) == "All time"
    assert "Custom dates" not in html


def test_with_dates_the_blank_period_reads_custom_dates(ledger, browser):
    html = _html(browser.get(reverse("reports:revenue"), {"start": "2026-01-01", "end": "2026-03-31"}))

    assert _selected_period(html) == "Custom dates"


def test_a_chosen_period_is_shown_by_name(ledger, browser):
    html = _html(browser.get(reverse("reports:overview"), {"period": "month_to_date"}))

    assert _selected_period(html) == "Month to date"


@pytest.fixture
def sold_this_month(db):
    """A sale today, so this month's revenue bucket is the current, incomplete one."""
    order = OrderFactory(customer=CustomerFactory(), channel=channel("web"), status=OrderStatus.PAID)
    record_sale(order, timezone.now(), (ProductFactory(sku="T"), 1, "30.00", "10.00"))


def test_the_current_month_is_marked_to_date_on_the_page_not_in_the_csv(
    ledger, sold_this_month, browser, salesperson_client
):
    this_month = timezone.now().date().replace(day=1).isoformat()

    page = _html(browser.get(reverse("reports:revenue"), {"group_by": "month"}))
    csv = browser.get(reverse("reports:revenue"), {"group_by": "month", "format": "csv"}).content.decode()
    api = salesperson_client.get("/api/v1/analytics/revenue/", {"group_by": "month"})

    assert f">{formatting.business_date(this_month)} (to date)</td>" in page
    assert "1 Jan 2026 (to date)" not in page and ">1 Jan 2026</td>" in page  # past months are whole
    assert page.count("(to date)") == 1
    assert "to date" not in csv and f"{this_month}," in csv
    assert [row["period"] for row in api.json()][-1] == this_month  # the JSON keeps the plain date


def test_only_the_bucket_holding_today_is_to_date_for_every_grouping(ledger):
    form = RevenueForm({"start": "2026-03-01", "end": "2026-03-31", "group_by": "week"})
    assert form.is_valid()
    table = RevenueReport(form).table(RevenueReport(form).answer())

    marked = marked_to_date(table, form, today=date(2026, 3, 11))  # a Wednesday: the week of Monday 9th
    periods = [cells[0].text for cells in marked.cells()]

    assert [p for p in periods if "to date" in p] == ["9 Mar 2026 (to date)"]
    assert marked_to_date(table, form, today=date(2027, 1, 1)) is table  # a past span: nothing under way


# 2. The Subscribe control.


def test_the_subscribe_form_sits_in_the_header_with_styled_choices(ledger, browser):
    html = _html(browser.get(reverse("reports:channels")))
    head = html[html.index('<div class="page-head">') : html.index('<form method="get"')]

    assert '<details class="subscribe no-print"' in head
    assert 'action="/reports/channels/subscribe/"' in head
    assert '<option value="weekly" selected>Weekly, on Mondays</option>' in head
    assert '<option value="7" selected>07:00</option>' in head
    assert "csrfmiddlewaretoken" in head
    assert "Your subscriptions to this page" not in head  # none yet


def test_subscribing_confirms_what_and_when_and_lists_it_with_an_unsubscribe_button(
    ledger, browser, salesperson
):
    response = browser.post(
        reverse("reports:subscribe", args=["channels"]),
        {"period": "previous_month", "frequency": "monthly", "hour": "6"},
        follow=True,
    )

    subscription = ReportSubscription.objects.get(user=salesperson)
    first = next_due(subscription, timezone.now())
    html = _html(response)
    assert response.status_code == 200
    assert (
        f"Subscribed to “Sales by channel”: it will be e-mailed to {salesperson.email} "
        f"on the 1st of every month at 06:00 UTC, first on {first:%A %d %B %Y at %H:%M} UTC."
    ) in html
    assert first.day == 1 and first.hour == 6 and first > timezone.now()
    assert "Your subscriptions to this page" in html
    assert "Sent on the 1st of every month at 06:00 UTC · Period: Previous month" in html
    assert f'action="/reports/subscriptions/{subscription.pk}/unsubscribe/"' in html


def test_a_bad_hour_is_refused_in_words_and_nothing_is_saved(ledger, browser):
    response = browser.post(
        reverse("reports:subscribe", args=["channels"]), {"frequency": "weekly", "hour": "24"}, follow=True
    )

    assert "Not subscribed: Choose an hour from 00:00 to 23:00." in _html(response)
    assert not ReportSubscription.objects.exists()


def test_the_page_lists_only_the_users_own_subscriptions_to_it(ledger, client, salesperson, ceo):
    report_subscription_create(
        user=salesperson, actor=salesperson, report="channels", frequency="daily", hour=8
    )
    report_subscription_create(user=salesperson, actor=salesperson, report="abc", frequency="daily", hour=9)
    theirs = report_subscription_create(user=ceo, actor=ceo, report="channels", frequency="weekly", hour=5)
    client.force_login(ceo)  # the CEO sees only their own here too

    html = _html(client.get(reverse("reports:channels")))

    assert html.count('class="unsubscribe"') == 1
    assert "Sent every Monday at 05:00 UTC" in html
    assert f"/reports/subscriptions/{theirs.pk}/unsubscribe/" in html
    assert "every day at 08:00" not in html and "every day at 09:00" not in html


def test_unsubscribing_removes_ones_own_and_says_so(ledger, browser, salesperson):
    mine = report_subscription_create(
        user=salesperson, actor=salesperson, report="channels", frequency="daily", hour=8
    )

    response = browser.post(reverse("reports:unsubscribe", args=[mine.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("reports:channels")
    assert "Unsubscribed: “Sales by channel” will no longer be e-mailed to you every day at 08:00 UTC." in (
        _html(response)
    )
    assert not ReportSubscription.objects.exists()
    assert AuditEntry.objects.filter(action="delete").count() == 1  # through the API's service


@pytest.mark.parametrize("owner_role", ["ceo", "other_salesperson"])
def test_another_users_subscription_cannot_be_removed_and_stays_as_it_was(
    ledger, browser, salesperson, ceo, owner_role
):
    from accounts.tests.factories import SalespersonFactory

    owner = ceo if owner_role == "ceo" else SalespersonFactory()
    theirs = report_subscription_create(
        user=owner,
        actor=owner,
        report="channels",
        filters={"period": "yesterday"},
        frequency="weekly",
        hour=5,
    )
    before = list(ReportSubscription.objects.values())
    logged = AuditEntry.objects.count()

    response = browser.post(reverse("reports:unsubscribe", args=[theirs.pk]))

    assert response.status_code == 404  # no hint that it exists
    assert list(ReportSubscription.objects.values()) == before
    assert AuditEntry.objects.count() == logged


def test_the_ceo_cannot_remove_a_salespersons_subscription_from_a_page(ledger, client, salesperson, ceo):
    theirs = report_subscription_create(
        user=salesperson, actor=salesperson, report="channels", frequency="daily", hour=8
    )
    client.force_login(ceo)

    assert client.post(reverse("reports:unsubscribe", args=[theirs.pk])).status_code == 404
    assert ReportSubscription.objects.filter(pk=theirs.pk).exists()


def test_unsubscribe_needs_post_and_csrf(ledger, salesperson):
    from django.test import Client

    mine = report_subscription_create(
        user=salesperson, actor=salesperson, report="channels", frequency="daily", hour=8
    )
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(salesperson)
    url = reverse("reports:unsubscribe", args=[mine.pk])

    assert strict.get(url).status_code == 405
    assert strict.post(url).status_code == 403  # no CSRF token
    assert ReportSubscription.objects.filter(pk=mine.pk).exists()


def test_customers_and_visitors_never_reach_the_subscribe_control(ledger, client, customer, salesperson):
    mine = report_subscription_create(
        user=salesperson, actor=salesperson, report="channels", frequency="daily", hour=8
    )
    subscribe = reverse("reports:subscribe", args=["channels"])
    unsubscribe = reverse("reports:unsubscribe", args=[mine.pk])

    assert client.post(subscribe, {"frequency": "daily", "hour": "7"}).status_code in (302, 403)
    assert client.post(unsubscribe).status_code in (302, 403)
    client.force_login(customer)
    assert client.get(reverse("reports:channels")).status_code == 403
    assert client.post(subscribe, {"frequency": "daily", "hour": "7"}).status_code == 403
    assert client.post(unsubscribe).status_code == 403
    assert list(ReportSubscription.objects.all()) == [mine]


# 3. RFM honours `period` and `end`.


@pytest.fixture
def bought_today_and_before(db):
    """Customer `old` bought ten days ago, customer `new` today (their first purchase)."""
    web, product = channel("web"), ProductFactory(sku="R")
    old, new = CustomerFactory(email="old@example.com"), CustomerFactory(email="new@example.com")
    now = timezone.now()
    record_sale(OrderFactory(customer=old, channel=web, status=OrderStatus.PAID), now - timedelta(days=10),
                (product, 1, "50.00", "20.00"))  # fmt: skip
    record_sale(OrderFactory(customer=new, channel=web, status=OrderStatus.PAID), now,
                (product, 1, "70.00", "20.00"))  # fmt: skip
    return old, new


def test_rfm_page_for_yesterday_leaves_todays_customers_out(bought_today_and_before, browser):
    today = _html(browser.get(reverse("reports:rfm")))
    yesterday = _html(browser.get(reverse("reports:rfm"), {"period": "yesterday"}))

    assert "new@example.com" in today and "old@example.com" in today
    assert "old@example.com" in yesterday and "new@example.com" not in yesterday
    assert _selected_period(yesterday) == "Yesterday"


def test_rfm_api_period_and_end_set_the_day_scored_as_of(bought_today_and_before, salesperson_client):
    url = "/api/v1/analytics/customers/rfm/"
    yesterday = (timezone.now().date() - timedelta(days=1)).isoformat()

    everyone = salesperson_client.get(url).json()["customers"]
    by_period = salesperson_client.get(url, {"period": "yesterday"}).json()["customers"]
    by_end = salesperson_client.get(url, {"end": yesterday}).json()["customers"]

    assert sorted(row["email"] for row in everyone) == ["new@example.com", "old@example.com"]
    assert [row["email"] for row in by_period] == ["old@example.com"]
    assert by_end == by_period
    assert by_period[0]["recency_days"] == 9  # counted from yesterday, not today


def test_rfm_unknown_period_is_400_on_the_page_and_in_the_api(
    bought_today_and_before, browser, salesperson_client
):
    page = browser.get(reverse("reports:rfm"), {"period": "fortnight"})
    api = salesperson_client.get("/api/v1/analytics/customers/rfm/", {"period": "fortnight"})

    assert page.status_code == 400
    assert "Select a valid choice. fortnight is not one of the available choices." in _html(page)
    assert api.status_code == 400
    assert api.json() == {"period": ["Select a valid choice. fortnight is not one of the available choices."]}


def test_rfm_period_and_as_of_together_is_a_field_error(bought_today_and_before, browser):
    response = browser.get(reverse("reports:rfm"), {"period": "yesterday", "as_of": "2026-01-01"})

    assert response.status_code == 400
    assert "Give a day to score as of or a period (or end), not both." in _html(response)
