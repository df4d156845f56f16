from celery import shared_task

from .subscriptions import reports_send_due


@shared_task
def send_due_reports() -> int:
    """Every five minutes (CELERY_BEAT_SCHEDULE): e-mail the report subscriptions that are due."""
    return reports_send_due()
