"""The Celery application. Tasks live in each app's ``tasks.py`` and are discovered."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presales.settings.local")

app = Celery("presales")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The core keeps its concerns in sub-packages, each with its own tasks.py.
app.autodiscover_tasks(["presales.sla", "presales.exports", "presales.documents"])
