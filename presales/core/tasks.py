"""Enqueueing Celery tasks by name, after the commit, without ever failing the request.

A service that starts background work names the task instead of importing it: the task
module imports its services (tasks take ids and call one service), so an import the other
way round would be a cycle. The task is looked up in Celery's registry when the commit
happens; ``delay`` on that registered task is what tests replace.

The broker only carries ids; PostgreSQL holds the truth. When the broker is down (Redis
stopped, restarted, unreachable) the work is already committed: the error is logged and the
caller carries on, and a periodic recovery finds the rows whose message never arrived and
enqueues them again (deliveries: presales/sla/sweep.py; export jobs:
presales/exports/services.py ``export_recover_queued``). Every task is idempotent, so a
message sent twice does its work once.
"""

from __future__ import annotations

import logging
from importlib import import_module
from typing import Any

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task_name: str, *args: Any) -> bool:
    """Send ``task_name(*args)`` to the broker now. An error is logged, not raised: the
    caller's work is committed and its recovery re-enqueues it; raising after the commit
    could only turn a done request into an error page. Returns whether it was sent."""
    try:
        _registered(task_name).delay(*args)
    except Exception:
        logger.exception("Could not enqueue %s%r; its recovery will enqueue it again", task_name, args)
        return False
    return True


def _registered(task_name: str) -> Any:
    """The registered task of ``task_name``. A web process never runs the worker's task
    discovery (``autodiscover_tasks`` waits for the worker to import its modules), so a task
    whose module nothing imported yet is imported here by its dotted name."""
    if task_name not in current_app.tasks:
        import_module(task_name.rpartition(".")[0])
    return current_app.tasks[task_name]


def enqueue_on_commit(task_name: str, *args: Any) -> None:
    """Send ``task_name(*args)`` once the current transaction commits (never before: the
    worker must find the rows the task reads); nothing is sent on a rollback, and a broker
    that is down never turns the committed request into an error."""
    transaction.on_commit(lambda: enqueue(task_name, *args), robust=True)
