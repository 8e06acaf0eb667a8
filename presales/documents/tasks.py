"""Celery tasks of generated documents (issue 12), on their own ``documents`` queue
(settings ``CELERY_TASK_ROUTES``) with a time limit; the memory ceiling is set around the
rendering (presales/documents/render.py)."""

from celery import shared_task

from presales.documents.services import (
    RUN_TASK,
    document_run,
    documents_fail_stale,
    documents_recover_queued,
)

TIME_LIMIT = 300


@shared_task(name=RUN_TASK, time_limit=TIME_LIMIT, soft_time_limit=TIME_LIMIT - 30)
def render_document_task(document_id: int) -> str:
    document = document_run(document_id=document_id)
    return document.state if document is not None else "missing"


@shared_task(name="presales.documents.tasks.sweep_documents_task")
def sweep_documents_task() -> int:
    """Every minute (beat): fail renderings whose worker died, re-send lost messages."""
    return documents_fail_stale() + documents_recover_queued()
