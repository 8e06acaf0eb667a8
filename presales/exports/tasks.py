"""Celery tasks of exports (R-CUST-6): thin wrappers that take ids and call one service."""

from celery import shared_task

from presales.exports.services import (
    RECOVER_TASK,
    RUN_TASK,
    STALE_TASK,
    export_fail_stale,
    export_recover_queued,
    export_run,
)


@shared_task(name=RUN_TASK)
def run_export_task(job_id: int) -> str:
    """Write one export job's file (R-CUST-6); a job that is no longer queued is left alone,
    so a redelivered task writes nothing twice."""
    job = export_run(job_id=job_id)
    return job.state if job is not None else "missing"


@shared_task(name=STALE_TASK)
def fail_stale_exports_task() -> int:
    """Every few minutes (beat): fail export jobs whose worker died mid-file."""
    return export_fail_stale()


@shared_task(name=RECOVER_TASK)
def recover_queued_exports_task() -> int:
    """Every minute (beat): enqueue again the export jobs whose message the broker lost."""
    return export_recover_queued()
