"""Celery tasks of demos: thin wrappers that call one service (acks_late from the settings;
the service claims rows with SKIP LOCKED and re-checks them, so a task run twice does its work once)."""

from celery import shared_task
from django.utils import timezone

from proposals.demos.services import demo_start_overdue_feedback_timers

FEEDBACK_TIMERS_TASK = "proposals.demos.tasks.start_demo_feedback_timers_task"


@shared_task(name=FEEDBACK_TIMERS_TASK)
def start_demo_feedback_timers_task() -> int:
    """Every 5 minutes (beat): demos whose end passed while still marked started owe their
    feedback from that end (R-DEMO-2)."""
    return demo_start_overdue_feedback_timers(now=timezone.now())
