"""python manage.py seed_ledger_scale: the partitioned sales ledger at ten million lines."""

from time import perf_counter

from django.core.management.base import BaseCommand, CommandError

from demo.scale import dated_query_plan, ledger_scale_seed


class Command(BaseCommand):
    help = (
        "Seed an empty, migrated PostgreSQL database with about --lines sales-ledger lines: the "
        "demo's history (seed_demo) copied in batches through COPY, indexes and foreign keys built "
        "after the load and checked against the migrated schema, rollups rebuilt. Then EXPLAIN "
        "ANALYZE of a dated query shows the partitions it reads."
    )

    def add_arguments(self, parser):
        parser.add_argument("--lines", type=int, default=10_000_000, help="ledger lines (default 10,000,000)")
        parser.add_argument(
            "--base-orders",
            type=int,
            default=250_000,
            help="orders of the copied base history (default 250,000)",
        )
        parser.add_argument(
            "--customers",
            type=int,
            default=100_000,
            help="customer accounts (default 100,000; at most 2 per 5 base orders)",
        )
        parser.add_argument("--products", type=int, default=2_000, help="products (default 2,000)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed, for repeatable data")
        parser.add_argument(
            "--explain-only",
            action="store_true",
            help="only EXPLAIN the dated query on the database as it is",
        )

    def handle(self, *args, lines, base_orders, customers, products, seed, explain_only, **options):
        if not explain_only:
            if min(lines, base_orders, customers, products) < 1:
                raise CommandError("Every count must be at least 1.")
            started = perf_counter()
            try:
                result = ledger_scale_seed(
                    lines=lines,
                    customers=customers,
                    products=products,
                    base_orders=base_orders,
                    seed=seed,
                    log=self.stdout.write,
                )
            except ValueError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                self.style.SUCCESS(
                    f"Seeded in {perf_counter() - started:.0f} s: a base of {result.base_lines:,} "
                    f"ledger lines and {result.copies} {'copy' if result.copies == 1 else 'copies'} of it"
                )
            )
            for table, count in result.counts.items():
                self.stdout.write(f"  {table}: {count:,}")
        plan, read, partitions = dated_query_plan()
        self.stdout.write("\nThe drill-down's totals of last month (EXPLAIN ANALYZE):\n" + plan)
        self.stdout.write(f"Partitions read: {', '.join(read) or 'none'} ({len(read)} of {partitions})")
        if len(read) != 1:
            raise CommandError("The dated query should read exactly one partition.")
