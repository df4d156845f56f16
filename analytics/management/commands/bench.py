"""python manage.py bench: how fast every analytics endpoint and report page answers.

Run it on a large demo database (`seed_demo --orders 250000`, about a million order
lines) to see whether the reports stay interactive. Each page is requested through the
whole Django stack (middleware, auth, rendering) with the test client, as a staff user:
first with the cache cleared before every request, then from a warm cache.
"""

from datetime import timedelta
from statistics import median
from time import perf_counter

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.http.request import validate_host
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, reverse
from rest_framework_simplejwt.tokens import AccessToken

from accounts.selectors import users_with_permission
from analytics.selectors import COMPARISONS
from catalog.models import Category, SalesChannel
from orders.models import Order, SalesRecord
from salesbackend.zone import sales_today

API = "/api/v1/analytics/"
COMPARED = (
    "summary/",
    "top-products/?by=revenue&limit=10",
    "bottom-products/?by=revenue&limit=10",
    "revenue/?group_by=day",
    "revenue/?group_by=month",
    "by-category/",
    "by-channel/",
    "discounts/",
)
COLUMNS = "{:>6} {:>10} {:>9} {:>4} {:>10} {:>9} {:>4}"


def analytics_paths() -> list[str]:
    """Every analytics endpoint of the contract, with the parameters a manager would use."""
    today = sales_today()
    recent_start, previous_start = today - timedelta(days=29), today - timedelta(days=59)
    compare = (
        f"period1_start={previous_start}&period1_end={recent_start - timedelta(days=1)}"
        f"&period2_start={recent_start}&period2_end={today}"
    )
    root = Category.objects.filter(parent__isnull=True).order_by("id").values_list("slug", flat=True).first()
    channel = SalesChannel.objects.order_by("id").values_list("code", flat=True).first()
    paths = [
        "summary/",
        "top-products/?by=revenue&limit=10",
        "top-products/?by=units&limit=10",
        "bottom-products/?by=revenue&limit=10",
        *(f"revenue/?group_by={period}" for period in ("day", "week", "month", "year")),
        f"compare/?{compare}",
        "by-category/",
        "by-channel/",
        "category-leaders/?limit=3",
        "discounts/",
        "abc/?by=revenue",
        "abc/?by=profit",
        "inventory/?window_days=30&lead_days=7&safety_days=7",
        "customers/summary/?group_by=month",
        "customers/cohorts/?period=year_to_date",
        "customers/rfm/",
        "summary/?period=previous_month",
        # the drill-down: a page of lines and the totals of all of them (one aggregate)
        "lines/",
        "lines/?period=last_30_days&page=2",
        "lines/?kind=reversal",
    ]
    if root and channel:  # the filters: a category with its sub-categories, a channel, a date range
        paths.append(f"summary/?category={root}&channel={channel}&start={previous_start}&end={today}")
        paths.append(f"lines/?category={root}&channel={channel}&start={previous_start}&end={today}")
        # the drill-down's broad filters: totals over most of the ledger (from the rollups)
        paths += [
            f"lines/?channel={channel}",
            f"lines/?category={root}",
            f"lines/?channel={channel}&kind=sale",
        ]
    # `compare=`: each comparing endpoint over a span, then against both earlier spans (the
    # comparison should cost under 1.5 x the line above it; all time has nothing to compare).
    for path in COMPARED:
        spanned = f"{path}{'&' if '?' in path else '?'}period=year_to_date"
        paths += [spanned, *(f"{spanned}&compare={compare}" for compare in COMPARISONS)]
    customer = SalesRecord.objects.order_by("-id").values_list("customer_id", flat=True).first()
    product = SalesRecord.objects.order_by("-id").values_list("product_id", flat=True).first()
    if customer and product:
        paths += [f"lines/?customer={customer}", f"lines/?product={product}&period=year_to_date"]
    return [API + path for path in paths]


def report_paths() -> list[str]:
    """Every page of the HTML reports that takes no URL arguments, then each page that compares
    over a span without a comparison, with its default one (the previous period) and the year's."""
    from analytics import report_urls
    from analytics.pages import REPORT_PAGES

    names = [
        pattern.name
        for pattern in report_urls.urlpatterns
        if isinstance(pattern, URLPattern) and pattern.name and not pattern.pattern.converters
    ]
    paths = [reverse(f"{report_urls.app_name}:{name}") for name in names]
    for name in names:
        if name in REPORT_PAGES and REPORT_PAGES[name].compares:
            spanned = f"{reverse(f'{report_urls.app_name}:{name}')}?period=year_to_date"
            paths += [f"{spanned}&compare=none", spanned, f"{spanned}&compare=previous_year"]
    return paths


class Command(BaseCommand):
    help = (
        "Time every analytics endpoint and report page, uncached and cached, as a staff user; "
        "exit non-zero when one does not answer 200."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--runs", type=int, default=5, help="requests per page and cache state (default 5)"
        )
        parser.add_argument(
            "--user", default="ceo", help="staff user to ask as (default: ceo, else any staff)"
        )

    def handle(self, *args, runs, user, **options):
        if runs < 1:
            raise CommandError("--runs must be at least 1.")
        staff = self._staff_user(user)
        api_client = Client(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(staff)}", **self._host())
        api_client.raise_request_exception = False
        report_client = Client(**self._host())
        report_client.raise_request_exception = False
        report_client.force_login(staff)
        report_client.get("/healthz", secure=True)  # open the database connection before timing

        db, cache_backend = settings.DATABASES["default"], settings.CACHES["default"]["BACKEND"]
        self.stdout.write(
            f"{connection.vendor} {db['NAME']}, cache {cache_backend.rsplit('.', 1)[-1]}: "
            f"{Order.objects.count():,} orders, {SalesRecord.objects.count():,} sales records; "
            f"{runs} runs each, as {staff.username}\n"
        )
        pages = [(api_client, path) for path in analytics_paths()]
        pages += [(report_client, path) for path in report_paths()]
        width = max(len(path) for _, path in pages)
        self.stdout.write(f"{'':<{width}} {COLUMNS.format('', 'uncached', '', '', 'cached', '', '')}")
        titles = COLUMNS.format("status", "median ms", "max ms", "q", "median ms", "max ms", "q")
        header = f"{'page':<{width}} {titles}"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        failures = []
        for client, path in pages:
            status, cells = self._bench(client, path, runs)
            line = f"{path:<{width}} {COLUMNS.format(status, *cells)}"
            self.stdout.write(line if status == 200 else self.style.ERROR(line))
            if status != 200:
                failures.append(f"{path} ({status})")
        if not report_paths():
            self.stdout.write(self.style.WARNING("No report pages are routed under /reports/ yet."))
        if failures:
            raise CommandError(f"{len(failures)} page(s) did not answer 200: {', '.join(failures)}")
        self.stdout.write(self.style.SUCCESS(f"All {len(pages)} pages answered 200."))

    def _bench(self, client: Client, path: str, runs: int) -> tuple[int, list]:
        """The status and the table cells of one page: uncached, then cached timings."""
        uncached, uncached_queries, status = self._timed(client, path, runs, clear_cache=True)
        if status != 200:
            return status, ["not implemented" if status == 404 else "failed", "", "", "", "", ""]
        cached, cached_queries, status = self._timed(client, path, runs, clear_cache=False)
        return status, [
            f"{median(uncached):.1f}",
            f"{max(uncached):.1f}",
            uncached_queries,
            f"{median(cached):.1f}",
            f"{max(cached):.1f}",
            cached_queries,
        ]

    def _timed(
        self, client: Client, path: str, runs: int, *, clear_cache: bool
    ) -> tuple[list[float], int, int]:
        """Milliseconds per request, the queries of the last one and the worst status."""
        times, status, queries = [], 200, 0
        for _ in range(runs):
            if clear_cache:
                cache.clear()
            with CaptureQueriesContext(connection) as captured:
                started = perf_counter()
                response = client.get(path, secure=True)
                times.append((perf_counter() - started) * 1000)
            queries = len(captured)
            if response.status_code != 200:
                return times, queries, response.status_code
        return times, queries, status

    def _staff_user(self, username: str):
        readers = users_with_permission("analytics.view_sales_reports").order_by("id")
        staff = readers.filter(username=username).first() or readers.first()
        if staff is None:
            raise CommandError("No user may read sales reports: run `manage.py seed_demo` first.")
        return staff

    def _host(self) -> dict[str, str]:
        """A Host header the settings accept (the test client's own is "testserver")."""
        if validate_host("testserver", settings.ALLOWED_HOSTS):
            return {}
        return {"HTTP_HOST": next(h.lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*")}
