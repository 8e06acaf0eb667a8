"""Demo deadlines: the reminders and escalations due now, in the demo users' bells (R-SLA-3).

Runs last. The timers themselves were started by the services the earlier builders called
(lead intake, communications, the initiation and review services); this builder only makes
sure the reviews in progress carry their approvers' timers (a database loaded before the
review timers existed has reviews without them), then runs the real sweep once with the
current time, as the beat would a minute after loading. Idempotent: a timer already open is
kept, notification keys are unique and a swept timer's counters have moved on, so loading
again creates nothing new (until time passes and something new falls due, as in real life).
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from django.utils import timezone

from opportunities.choices import InitiationStatus
from opportunities.models import ProjectInitiation
from opportunities.timers import start_initiation_timer
from presales.sla.defaults import INITIATION_REVIEW, REVIEW_STEP
from presales.sla.models import Timer, TimerState
from presales.sla.sweep import sweep
from reviews.choices import ReviewStatus, TaskState
from reviews.models import ReviewTask
from reviews.timers import start_review_step_timer


def _open_timer_on(model, kind: str):
    return Exists(
        Timer.objects.filter(
            kind=kind,
            state=TimerState.OPEN,
            subject_type=ContentType.objects.get_for_model(model),
            subject_id=OuterRef("pk"),
        )
    )


def _ensure_review_timers() -> int:
    """Start the timers of pending review tasks and initiations in review that have none."""
    started = 0
    tasks = (
        ReviewTask.objects.filter(state=TaskState.PENDING, review__status=ReviewStatus.IN_PROGRESS)
        .exclude(_open_timer_on(ReviewTask, REVIEW_STEP))
        .select_related("approver__team", "review")
    )
    for task in tasks:
        start_review_step_timer(task, start=task.opened_at)
        started += 1
    initiations = (
        ProjectInitiation.objects.filter(status=InitiationStatus.IN_REVIEW, submitted_by__isnull=False)
        .exclude(_open_timer_on(ProjectInitiation, INITIATION_REVIEW))
        .select_related("opportunity__team", "submitted_by")
    )
    for initiation in initiations:
        start_initiation_timer(initiation, owner=initiation.submitted_by, start=initiation.submitted_at)
        started += 1
    return started


def build(ctx) -> None:
    started = _ensure_review_timers()
    result = sweep(now=timezone.now())
    ctx.log.append(
        f"Demo deadlines: {started} review timers started, {result.timers} timers swept, "
        f"{result.reminders} reminders and {result.escalations} escalations sent "
        f"({result.notifications} notifications)."
    )
