"""Celery tasks of surveys: thin wrappers that call the services (acks_late from the settings;
rows are claimed with SKIP LOCKED and re-checked under lock, so a task run twice does its work
once). Imported by ``kpi.surveys.registry`` (autodiscovery finds only ``kpi.tasks``)."""

from celery import shared_task
from django.utils import timezone

from kpi.surveys.services import surveys_remind_and_expire, surveys_send_due

SEND_DUE_TASK = "kpi.surveys.tasks.send_due_surveys_task"


@shared_task(name=SEND_DUE_TASK)
def send_due_surveys_task() -> dict[str, int]:
    """Every 5 minutes (beat): the surveys due 1, 3, 6 months after acceptance (R-POST-1), the
    one reminder of unanswered surveys, and expiry."""
    now = timezone.now()
    sent = surveys_send_due(now=now)
    return {"sent": sent, **surveys_remind_and_expire(now=now)}
