"""python manage.py ensure_partitions: make the sales ledger's monthly partitions ahead."""

from django.core.management.base import BaseCommand

from orders.ledger import (
    sales_ledger_default_rows,
    sales_ledger_is_partitioned,
    sales_ledger_partitions_ensure,
)
from orders.ledger.partitions import MONTHS_AHEAD


class Command(BaseCommand):
    help = (
        f"Create the sales ledger's monthly partitions up to {MONTHS_AHEAD} months ahead (PostgreSQL), and "
        "those of any month whose rows are in the default partition, moving them there. Safe to run "
        "again; the daily beat task does the same."
    )

    def handle(self, *args, **options):
        if not sales_ledger_is_partitioned():
            self.stdout.write("The sales ledger is not partitioned here (not PostgreSQL, or not migrated).")
            return
        created = sales_ledger_partitions_ensure()
        if created:
            self.stdout.write(self.style.SUCCESS(f"Created {len(created)} partitions: {', '.join(created)}."))
        else:
            self.stdout.write(self.style.SUCCESS("Every partition was there already."))
        if rows := sales_ledger_default_rows():
            self.stdout.write(
                self.style.WARNING(f"{rows:,} sales records are still in the default partition.")
            )
