"""python manage.py rebuild_sales_rollup: recompute the sales rollups from the sales ledger."""

from time import perf_counter

from django.core.management.base import BaseCommand

from orders.ledger import sales_rollup_rebuild, sales_rollup_verify


class Command(BaseCommand):
    help = (
        "Recompute the sales rollups (DailySales, ProductSales, DailyOrders, DailyCustomers) that "
        "analytics read, from the sales ledger. Payments keep them exact; run this after writing "
        "sales records by other means (SQL, a partial restore). Sales wait while it runs."
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
                self.stdout.write(self.style.SUCCESS("The sales rollups equal the ledger."))
                return
            self.stdout.write(self.style.WARNING("Rows that differed from the ledger, now rebuilt:"))
            for name, rows in differences.items():
                self.stdout.write(f"  {name}: {rows:,}")
            return
        written = sales_rollup_rebuild(actor=None)
        self.stdout.write(self.style.SUCCESS(f"Sales rollups rebuilt in {perf_counter() - started:.1f} s:"))
        for name, rows in written.items():
            self.stdout.write(f"  {name}: {rows:,} rows")
