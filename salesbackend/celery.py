import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

from salesbackend.replica import READ_SIDE_TASK_PREFIX, _read_side

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesbackend.settings")

app = Celery("salesbackend")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

_read_side_tokens: dict = {}


@task_prerun.connect
def _read_side_begins(task_id=None, task=None, **kwargs) -> None:
    """Report e-mails and alerts (every analytics task) read like the report pages: from the
    replica when it is fresh (salesbackend.replica)."""
    if task is not None and task.name.startswith(READ_SIDE_TASK_PREFIX):
        _read_side_tokens[task_id] = _read_side.set(True)


@task_postrun.connect
def _read_side_ends(task_id=None, **kwargs) -> None:
    token = _read_side_tokens.pop(task_id, None)
    if token is not None:
        _read_side.reset(token)
