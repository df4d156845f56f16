"""python manage.py send_reports [--now]: e-mail the report subscriptions that are due (what the
periodic task does), or with --now every active one at once."""

from django.core.management.base import BaseCommand

from analytics.subscriptions import reports_send_due


class Command(BaseCommand):
    help = "E-mail the due report subscriptions; --now sends every active one now."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="send every active subscription now")

    def handle(self, *args, now: bool, **options):
        sent = reports_send_due(force=now)
        self.stdout.write(f"{sent} report e-mail(s) sent.")
