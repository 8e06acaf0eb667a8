"""Enqueueing Celery tasks by name, after the commit.

A service that starts background work names the task instead of importing it: the task
module imports its services (tasks take ids and call one service), so an import the other
way round would be a cycle. The task is looked up in Celery's registry when the commit
happens; ``delay`` on that registered task is what tests replace.
"""

from __future__ import annotations

from celery import current_app
from django.db import transaction


def enqueue(task_name: str, *args) -> None:
    """Send ``task_name(*args)`` to the broker now."""
    current_app.tasks[task_name].delay(*args)


def enqueue_on_commit(task_name: str, *args) -> None:
    """Send ``task_name(*args)`` once the current transaction commits (never before: the
    worker must find the rows the task reads); nothing is sent on a rollback."""
    transaction.on_commit(lambda: enqueue(task_name, *args))
