"""Periodic work that calls the order services (CELERY_BEAT_SCHEDULE). It lives apart from
`tasks.py`, which the services themselves enqueue, so neither module imports the other."""

from celery import shared_task

from .services import orders_expire


@shared_task
def expire_pending_orders() -> int:
    """Every minute: cancel the pending orders nobody paid in ORDER_PENDING_MINUTES."""
    return orders_expire()
