"""The review engine's deadlines: one "review step pending" timer per approver (R-REV-1, R-SLA-1).

The engine calls :func:`review_tasks_changed` inside the transaction of the start, decision
or withdrawal, under the review lock: a timer starts, is satisfied or is cancelled together
with the event, and a refused or rolled-back decision leaves the timers as they were.

- a task opens (first step at the start, the next step when the previous one completes):
  a timer for its approver, due per the ``review_step`` policy (2 working days by default),
  on the approver's team, so an overdue decision escalates to the approver's manager (R-SLA-3);
- the approver decides (approves or rejects): their timer is satisfied;
- a pending task closes without its approver (an ANY step approved by someone else, the
  review rejected by another approver or withdrawn): its timer is cancelled with the reason.

A decision is never refused because next year's holiday calendar is not entered yet
(chinese-calendar ships years only once announced): like every working-day timer, the due
time is then estimated, flagged on the timer, and recomputed when the year is entered (R-SLA-2).
"""

from __future__ import annotations

from presales.sla.defaults import REVIEW_STEP
from presales.sla.models import Timer
from presales.sla.services import timer_cancel, timer_satisfy, timer_start
from presales.sla.subjects import register_timer_subject
from reviews.choices import TaskCloseReason
from reviews.models import ReviewTask


def review_tasks_changed(changes) -> None:
    """Open, satisfy or cancel the approvers' timers of ``changes`` (a TaskChanges)."""
    for task in changes.decided:
        timer_satisfy(kind=REVIEW_STEP, subject=task, at=task.decided_at or changes.at)
    if changes.closed:
        reason = str(TaskCloseReason(changes.closed_because).label) if changes.closed_because else ""
        for task in changes.closed:
            timer_cancel(kind=REVIEW_STEP, subject=task, reason=reason, at=changes.at)
    for task in changes.opened:
        start_review_step_timer(task, start=task.opened_at or changes.at)


def start_review_step_timer(task, *, start) -> Timer:
    """The approver of a pending task owes a decision: their timer, on their own team so an
    overdue one escalates to their manager. Already open: returned unchanged."""
    approver = task.approver
    return timer_start(
        kind=REVIEW_STEP,
        subject=task,
        owner=approver,
        start=start,
        team=approver.team,
        context={"review": task.review_id, "step": task.step_order},
    )


def _review_tasks():
    # A task's label names its review (kind and subject) and step.
    return ReviewTask.objects.select_related("review")


def register() -> None:
    """Say how the records of review-step timers are fetched for their labels (from ``ready()``)."""
    register_timer_subject("reviews.ReviewTask", _review_tasks)
