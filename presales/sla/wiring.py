"""The review engine's deadlines: one "review step pending" timer per approver (R-REV-1, R-SLA-1).

Registered from ``PresalesConfig.ready()`` as a listener of
``reviews.services.on_tasks_changed``, which the engine calls inside the transaction of the
start, decision or withdrawal, under the review lock: a timer starts, is satisfied or is
cancelled together with the event, and a refused or rolled-back decision leaves the timers
as they were. The engine stays generic: it reports which tasks opened, were decided or were
closed, and knows nothing of timers.

- a task opens (first step at the start, the next step when the previous one completes):
  a timer for its approver, due per the ``review_step`` policy (2 working days by default),
  on the approver's team, so an overdue decision escalates to the approver's manager (R-SLA-3);
- the approver decides (approves or rejects): their timer is satisfied;
- a pending task closes without its approver (an ANY step approved by someone else, the
  review rejected by another approver or withdrawn): its timer is cancelled with the reason.

Both kinds count working days. A decision must not be refused because next year's holiday
calendar is not entered yet (chinese-calendar ships years only once announced): their timers
ask for an estimated due time in that case, flagged on the timer, and the administrators are
told to enter the year (``timer_start(estimate_unknown_calendar=True)``).

The initiation request's own timer (``initiation_review``, owned by its author) is driven by
the lifecycle services, which own that request's events (presales/lifecycle.py: started by
``initiation_submit``; satisfied by the approval or rejection callbacks; cancelled when the
review is withdrawn, also when the opportunity closes), with ``start_initiation_timer``.
"""

from __future__ import annotations

from presales.models import Timer
from presales.sla.defaults import INITIATION_REVIEW, REVIEW_STEP
from presales.sla.services import timer_cancel, timer_satisfy, timer_start
from presales.sla.subjects import register_timer_subject


def review_tasks_changed(changes) -> None:
    """Listener of ``reviews.services.on_tasks_changed`` (``changes``: a TaskChanges)."""
    from reviews.choices import TaskCloseReason

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
        estimate_unknown_calendar=True,
    )


def start_initiation_timer(initiation, *, owner, start) -> Timer:
    """The initiation request waits for its decision: the author's timer, on the
    opportunity's team. Already open: returned unchanged."""
    return timer_start(
        kind=INITIATION_REVIEW,
        subject=initiation,
        owner=owner,
        start=start,
        team=initiation.opportunity.team,
        estimate_unknown_calendar=True,
    )


def _review_tasks():
    from reviews.models import ReviewTask

    # A task's label names its review (kind and subject) and step.
    return ReviewTask.objects.select_related("review")


def _initiations():
    from presales.models import ProjectInitiation

    # An initiation's label names its opportunity.
    return ProjectInitiation.objects.select_related("opportunity")


def register() -> None:
    """Plug the review timers into the review engine, and say how the records of the review
    and initiation timers are fetched for their labels (once, from ``ready()``)."""
    from reviews import services

    if review_tasks_changed not in services.on_tasks_changed:
        services.on_tasks_changed.append(review_tasks_changed)
    register_timer_subject("reviews.ReviewTask", _review_tasks)
    register_timer_subject("presales.ProjectInitiation", _initiations)
