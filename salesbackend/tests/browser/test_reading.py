"""What a manager reads, measured in Chromium at 1366 x 900 against a live server with demo data:
every report page and the admin dashboard. On each page: no text in an SVG under 11 px as
rendered (font size times the SVG's scale), no two axis labels of a chart overlapping, every
chart at least 80 % of its card's width, no number with a float tail, and the currency on every
money cell (cells marked `data-kind="money"`, or in a column whose header is). A screenshot of
every page lands in artifacts/screenshots/read-*.png.

Run with `make browser`; see test_staff_flows.py for the Chromium set-up.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CEOFactory, SalespersonFactory
from analytics.pages import REPORT_PAGES
from analytics.targets.services import target_create
from salesbackend.tests.browser.test_staff_flows import Watched

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORT = {"width": 1366, "height": 900}
MIN_TEXT_PX = 11
MIN_CHART_SHARE = 0.8

# Runs in the page; returns what a manager would trip over, as sentences.
READING_CHECK = """
({minText, minShare}) => {
  const problems = [];
  const shown = (el) => {
    const style = getComputedStyle(el);
    return el.getClientRects().length > 0 && style.display !== 'none' && style.visibility !== 'hidden'
      && Number(style.opacity) > 0 && el.textContent.trim() !== '';
  };
  const words = (el) => el.textContent.trim().slice(0, 40);
  for (const svg of document.querySelectorAll('svg')) {
    const texts = [...svg.querySelectorAll('text')].filter(shown);
    for (const text of texts) {
      const matrix = text.getScreenCTM();
      const scale = matrix ? Math.hypot(matrix.a, matrix.b) : 1;
      const px = parseFloat(getComputedStyle(text).fontSize) * scale;
      if (px < minText - 0.05) problems.push(`SVG text at ${px.toFixed(1)} px: "${words(text)}"`);
    }
    // Axis labels: pygal groups them under g.axis; elsewhere, siblings under one parent.
    const groups = new Map();
    for (const text of texts) {
      const key = text.closest('.axis') || text.parentElement.closest('g') || svg;
      if (!text.closest('.axis') && !text.closest('.guides')) continue;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(text);
    }
    for (const labels of groups.values()) {
      const boxes = labels.map((t) => [t, t.getBoundingClientRect()]);
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const [a, ra] = boxes[i], [b, rb] = boxes[j];
          const dx = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
          const dy = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
          if (dx > 1 && dy > 1) problems.push(`axis labels overlap: "${words(a)}" and "${words(b)}"`);
        }
      }
    }
  }
  for (const card of document.querySelectorAll('figure.chart')) {
    const svg = card.querySelector('svg');
    if (!svg) continue;
    const share = svg.getBoundingClientRect().width / card.clientWidth;
    const title = words(card.querySelector('figcaption') || card);
    if (share < minShare) problems.push(`chart "${title}" fills ${(share * 100).toFixed(0)} % of its card`);
  }
  const tail = document.body.innerText.match(/\\d\\.\\d{5,}/g);
  if (tail) problems.push(`float tails: ${tail.slice(0, 5).join(', ')}`);
  const money = new Set(document.querySelectorAll('td[data-kind="money"], [data-kind="money"]:not(th)'));
  for (const th of document.querySelectorAll('th[data-kind="money"]')) {
    const table = th.closest('table');
    const column = [...th.parentElement.children].indexOf(th);
    for (const row of table.querySelectorAll('tbody tr')) {
      if (row.children.length === th.parentElement.children.length) money.add(row.children[column]);
    }
  }
  for (const el of money) {
    const text = el.textContent.trim();
    if (text && !/ [A-Z]{3}$/.test(text)) problems.push(`money without its currency: "${text}"`);
  }
  return problems;
}
"""


def reading_problems(page) -> list[str]:
    return page.evaluate(READING_CHECK, {"minText": MIN_TEXT_PX, "minShare": MIN_CHART_SHARE})


@pytest.fixture
def demo_data(db):
    call_command("seed_demo", customers=30, products=60, orders=600, seed=2026, verbosity=0)
    # Targets, so the Targets page and the revenue chart's target line are read too.
    ceo, today = CEOFactory(username="target-setter"), timezone.now().date()
    month = today.replace(day=1)
    for name, metric, start, amount in (
        ("Revenue this month", "revenue", month, "25000"),
        ("Orders this year", "orders", today.replace(month=1, day=1), "900"),
        ("Revenue next month", "revenue", (month + timedelta(days=32)).replace(day=1), "30000"),
    ):
        end = (start + timedelta(days=366 if metric == "orders" else 32)).replace(day=1) - timedelta(days=1)
        target_create(actor=ceo, name=name, metric=metric, start=start, end=end, amount=Decimal(amount))


def _pages() -> list[tuple[str, str]]:
    # With dates, so the key figures' changes and the earlier span's dashed series are read too.
    compared = [
        ("read-overview-compared", f"{reverse('reports:overview')}?period=last_30_days&group_by=day"),
        ("read-revenue-compared", f"{reverse('reports:revenue')}?period=year_to_date&group_by=week"),
    ]
    return [(f"read-{name}", reverse(f"reports:{name}")) for name in REPORT_PAGES] + [
        *compared,
        ("read-admin-dashboard", reverse("admin:index")),
    ]


def test_every_report_page_and_the_dashboard_read_at_1366_px(browser, live_server, demo_data):
    CEOFactory(username="reader")
    manager = Watched(browser, live_server.url, viewport=VIEWPORT)
    manager.sign_in("reader")

    problems = {}
    for shot, path in _pages():
        manager.goto(path)
        manager.shot(shot)
        if found := reading_problems(manager.page):
            problems[path] = found

    assert problems == {}
    assert manager.close() == []


def test_the_check_finds_small_text_overlaps_narrow_charts_tails_and_bare_money(
    browser, live_server, demo_data
):
    """The check itself: a page with each fault planted is caught on every one."""
    CEOFactory(username="reader")
    manager = Watched(browser, live_server.url, viewport=VIEWPORT)
    manager.sign_in("reader")
    manager.goto(reverse("reports:channels"))
    assert reading_problems(manager.page) == []

    manager.page.evaluate(
        """() => {
          const svg = document.querySelector('figure.chart svg');
          const text = svg.querySelector('text');
          text.style.fontSize = '4px';
          const axis = document.createElementNS('http://www.w3.org/2000/svg', 'g');
          axis.setAttribute('class', 'axis planted');
          axis.innerHTML = '<text x="50" y="50">overlapping</text><text x="55" y="50">labels</text>';
          svg.appendChild(axis);
          document.querySelector('figure.chart').insertAdjacentHTML('afterend',
            '<figure class="chart"><svg viewBox="0 0 10 10" style="width: 40%"></svg></figure>'
            + '<p>0.1234567</p><table><tr><td data-kind="money">12.00</td></tr></table>');
        }"""
    )
    found = "\n".join(reading_problems(manager.page))

    assert "SVG text at 4." in found
    assert 'axis labels overlap: "overlapping" and "labels"' in found
    assert re.search(r"fills (39|40) % of its card", found)
    assert "float tails: 0.1234567" in found
    assert 'money without its currency: "12.00"' in found
    manager.close()


def test_a_salespersons_admin_lists_fit_1366_px_without_a_sideways_scroll(browser, live_server, demo_data):
    SalespersonFactory(username="clerk")
    clerk = Watched(browser, live_server.url, viewport=VIEWPORT)
    clerk.sign_in("clerk")

    too_wide = {}
    for model in (
        "orders/order",
        "orders/refund",
        "orders/return",
        "orders/discountcode",
        "catalog/product",
        "inventory/stock",
    ):
        clerk.goto(f"/admin/{model}/")
        clerk.shot(f"list-{model.replace('/', '-')}")
        # The page itself, and the results table inside its own scrolling box.
        widths = clerk.page.evaluate(
            "[document.documentElement.scrollWidth,"
            " ...[...document.querySelectorAll('.results')].map(box => box.scrollWidth - box.clientWidth)]"
        )
        if widths[0] > VIEWPORT["width"] or any(overflow > 0 for overflow in widths[1:]):
            too_wide[model] = widths
    clerk.goto("/admin/")
    menu = clerk.page.inner_text("#content-main")

    assert too_wide == {}
    assert "Daily sales" not in menu and "Idempotency keys" not in menu and "Outstanding tokens" not in menu
    assert clerk.close() == []
