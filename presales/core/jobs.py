"""Recovery of background jobs kept as rows (export jobs, generated documents): the row is
the truth, the broker only carries its id (presales/core/tasks.py).

A job row has ``state`` (queued → running → done | failed), ``created_at``, ``finished_at``,
``error`` and ``heartbeat_at``: for a running job its worker's last sign of life, for a queued
one when it was last handed to the broker. Two sweeps keep them honest:

- :func:`fail_stale` fails running jobs whose worker died (no heartbeat for ``after``);
- :func:`recover_queued` enqueues again the queued jobs whose message was lost.
Both are safe to run concurrently (``skip_locked``) and every task claims its job under the
row lock only while queued, so a duplicate message does nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from presales.core.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)

QUEUED, RUNNING, FAILED = "queued", "running", "failed"


def fail_stale(
    model: type[models.Model], *, after: timedelta, error: str, now: datetime | None = None
) -> int:
    """Fail ``model``'s running jobs silent for ``after`` with ``error``; returns how many."""
    now = now or timezone.now()
    failed = 0
    stale = model._default_manager.filter(state=RUNNING, heartbeat_at__lt=now - after)
    for job_id in stale.values_list("pk", flat=True):
        with transaction.atomic():
            job = (
                model._default_manager.select_for_update(skip_locked=True)
                .filter(pk=job_id, state=RUNNING, heartbeat_at__lt=now - after)
                .first()
            )
            if job is None:
                continue
            job.state = FAILED  # type: ignore[attr-defined]
            job.error = error  # type: ignore[attr-defined]
            job.finished_at = now  # type: ignore[attr-defined]
            job.save(update_fields=["state", "error", "finished_at"])
            failed += 1
    return failed


def recover_queued(
    model: type[models.Model],
    *,
    task: str,
    after: timedelta,
    now: datetime | None = None,
    batch_size: int = 200,
) -> int:
    """Enqueue ``task(pk)`` again for ``model``'s jobs still queued ``after`` their last
    hand-over to the broker (empty: their creation); returns how many."""
    now = now or timezone.now()
    cutoff = now - after
    with transaction.atomic():
        ids = list(
            model._default_manager.filter(state=QUEUED)
            .filter(Q(heartbeat_at__lte=cutoff) | Q(heartbeat_at__isnull=True, created_at__lte=cutoff))
            .order_by("created_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:batch_size]
        )
        model._default_manager.filter(pk__in=ids).update(heartbeat_at=now)
        for job_id in ids:
            enqueue_on_commit(task, job_id)
    if ids:
        logger.warning("%s jobs %s were still queued; enqueued them again", model._meta.label, ids)
    return len(ids)
