import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesbackend.settings")

app = Celery("salesbackend")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
