"""Celery tasks of the SLA timers: thin wrappers that take ids and call one service.

Settings give every task ``acks_late`` and ``reject_on_worker_lost``; each service re-checks
state under a row lock, so a task delivered twice does its work once.
"""

from celery import shared_task
from django.utils import timezone

from presales.sla.delivery import deliver
from presales.sla.notifications import DELIVER_TASK
from presales.sla.services import calendar_check
from presales.sla.sweep import sweep

SWEEP_TASK = "presales.sla.tasks.sweep_due_timers_task"
CALENDAR_TASK = "presales.sla.tasks.check_work_calendar_task"


@shared_task(name=SWEEP_TASK)
def sweep_due_timers_task() -> dict:
    """Every minute (beat): remind and escalate due timers, re-enqueue stranded deliveries."""
    result = sweep(now=timezone.now())
    return {"timers": result.timers, "notifications": result.notifications, "recovered": result.recovered}


@shared_task(name=DELIVER_TASK)
def deliver_notification_task(delivery_id: int) -> str:
    """Send one delivery (one channel of one notification) once."""
    return deliver(delivery_id=delivery_id)


@shared_task(name=CALENDAR_TASK)
def check_work_calendar_task() -> dict:
    """Daily (beat): from 1 November, tell the admins once if next year's working-day
    calendar is missing; recompute estimated timers whose year became known (R-SLA-2)."""
    return calendar_check(now=timezone.now())
