"""Celery tasks of the core: thin wrappers that take ids and call one service.

Settings give every task ``acks_late`` and ``reject_on_worker_lost``; each service re-checks
state under a row lock, so a task delivered twice does its work once.
"""

from celery import shared_task
from django.utils import timezone


@shared_task(name="presales.tasks.sweep_due_timers_task")
def sweep_due_timers_task() -> dict:
    """Every minute (beat): remind and escalate due timers, re-enqueue stranded deliveries."""
    from presales.sla.sweep import sweep

    result = sweep(now=timezone.now())
    return {"timers": result.timers, "notifications": result.notifications, "recovered": result.recovered}


@shared_task(name="presales.tasks.deliver_notification_task")
def deliver_notification_task(delivery_id: int) -> str:
    """Send one delivery (one channel of one notification) once."""
    from presales.sla.delivery import deliver

    return deliver(delivery_id=delivery_id)


@shared_task(name="presales.tasks.review_customer_grades_task")
def review_customer_grades_task() -> int:
    """Monthly (beat): downgrade A customers without progress for 3 months (R-CUST-3)."""
    from leads.services import customer_review_grades

    return len(customer_review_grades(now=timezone.now()))


@shared_task(name="presales.tasks.run_export_task")
def run_export_task(job_id: int) -> str:
    """Write one export job's file (R-CUST-6); a job that is no longer queued is left alone,
    so a redelivered task writes nothing twice."""
    from presales.exports import export_run

    job = export_run(job_id=job_id)
    return job.state if job is not None else "missing"


@shared_task(name="presales.tasks.fail_stale_exports_task")
def fail_stale_exports_task() -> int:
    """Every few minutes (beat): fail export jobs whose worker died mid-file."""
    from presales.exports import export_fail_stale

    return export_fail_stale()
