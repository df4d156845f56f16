"""Side effects that run after the transaction commits and must never fail it."""

import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send a Celery task once the current transaction commits; a broker outage is logged."""

    def send() -> None:
        try:
            task.delay(*args, **kwargs)
        except Exception:
            logger.exception("Could not enqueue task %s", getattr(task, "name", task))

    transaction.on_commit(send)


def run_on_commit(func: Callable[[], None], description: str) -> None:
    """Run `func` after commit; any error is logged, never raised into the request."""

    def run() -> None:
        try:
            func()
        except Exception:
            logger.exception("After-commit step failed: %s", description)

    transaction.on_commit(run)
