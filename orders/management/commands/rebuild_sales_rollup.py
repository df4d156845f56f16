"""python manage.py rebuild_sales_rollup: recompute the sales rollups from the sales ledger."""

from time import perf_counter

from django.core.management.base import BaseCommand

from orders.ledger import sales_rollup_rebuild, sales_rollup_verify, sales_rollup_zone
from salesbackend.zone import sales_zone_name


class Command(BaseCommand):
    help = (
        "Recompute the sales rollups (DailySales, ProductSales, DailyOrders, DailyCustomers) that "
        "analytics read, from the sales ledger, in the days of SALES_TIME_ZONE. Payments keep them "
        "exact; run this after changing SALES_TIME_ZONE or writing sales records by other means (SQL, "
        "a partial restore). Sales wait while it runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--verify",
            action="store_true",
            help="compare with the ledger first and rebuild only if they differ (what the nightly task does)",
        )

    def handle(self, *args, verify, **options):
        started = perf_counter()
        if verify:
            differences = sales_rollup_verify(actor=None)
            if not differences:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"The sales rollups equal the ledger. Their days are those of {sales_zone_name()}."
                    )
                )
                return
            self.stdout.write(
                self.style.WARNING(
                    f"Rows that differed from the ledger, now rebuilt for {sales_zone_name()}:"
                )
            )
            for name, rows in differences.items():
                self.stdout.write(f"  {name}: {rows:,}")
            return
        built_for, zone = sales_rollup_zone(), sales_zone_name()
        written = sales_rollup_rebuild(actor=None)
        moved = f" (they were built for {built_for})" if built_for not in (None, zone) else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Sales rollups rebuilt for {zone}{moved} in {perf_counter() - started:.1f} s:"
            )
        )
        for name, rows in written.items():
            self.stdout.write(f"  {name}: {rows:,} rows")
