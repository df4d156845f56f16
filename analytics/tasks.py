from celery import shared_task

from .alerts.services import report_alerts_check_due
from .subscriptions import reports_send_due


@shared_task
def send_due_reports() -> int:
    """Every five minutes (CELERY_BEAT_SCHEDULE): e-mail the report subscriptions that are due."""
    return reports_send_due()


@shared_task
def check_report_alerts() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): e-mail the owners of active alerts whose condition holds,
    once per alert and period."""
    return report_alerts_check_due()
