"""python manage.py expire_orders: cancel the unpaid orders older than ORDER_PENDING_MINUTES now
(what the periodic task does every minute)."""

from django.core.management.base import BaseCommand

from orders.services import orders_expire


class Command(BaseCommand):
    help = "Cancel pending orders not paid within ORDER_PENDING_MINUTES (stock and discount uses go back)."

    def handle(self, *args, **options):
        expired = orders_expire()
        self.stdout.write(f"{expired} pending order(s) expired.")
