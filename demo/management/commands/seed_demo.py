"""python manage.py seed_demo: demo users, catalog, stock, customers and 18 months of orders."""

from time import perf_counter

from django.core.management.base import BaseCommand, CommandError

from catalog.models import Product
from demo.generator import DEMO_USERS, demo_password, demo_seed


class Command(BaseCommand):
    help = (
        "Fill the database with demo data: one user per role, a category tree, products with "
        "stock, customers and orders over the last 18 months in every status, with their "
        "sales records. Fast enough for --orders 250000 (about a million order lines)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=30, help="customer accounts (default 30)")
        parser.add_argument("--products", type=int, default=120, help="products (default 120)")
        parser.add_argument("--orders", type=int, default=1500, help="orders (default 1500)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed, for repeatable data")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the catalog already has products"
        )

    def handle(self, *args, customers, products, orders, seed, if_empty, **options):
        if min(customers, products, orders) < 0:
            raise CommandError("Counts cannot be negative.")
        if orders and not products:
            raise CommandError("Orders need products: give --products 1 or more.")
        if if_empty and Product.objects.exists():
            self.stdout.write("The database already has products; no demo data added (--if-empty).")
            self._credentials()
            return

        started = perf_counter()
        self.stdout.write(f"Seeding demo data (seed {seed}):")
        result = demo_seed(
            customers=customers, products=products, orders=orders, seed=seed, log=self.stdout.write
        )
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {perf_counter() - started:.1f} s:"))
        for name, count in result.counts.items():
            self.stdout.write(f"  {name.replace('_', ' ')}: {count:,}")
        self._credentials()

    def _credentials(self) -> None:
        password = demo_password()
        if password is None:
            self.stdout.write(
                "Demo accounts (no usable password with DJANGO_DEBUG=0; set one with "
                "`manage.py changepassword <username>`):"
            )
        else:
            self.stdout.write(f"Demo accounts (password {password}):")
        for username, role, _, _ in DEMO_USERS:
            self.stdout.write(f"  {role.value:<12} {username}")
