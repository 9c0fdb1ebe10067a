"""The Celery application: used by `congso worker`, and in-process (eager) in the embedded default."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congso.config.settings")

app = Celery("congso")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
