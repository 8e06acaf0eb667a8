"""The one periodic sweep (Celery beat, every minute): due timers and stranded deliveries.

1. Claim open timers whose ``next_action_at`` has come, in batches, with
   ``SELECT ... FOR UPDATE SKIP LOCKED`` on the partial index ``timer_next_action_open``:
   the cost follows the number of due rows, not the number of timers. Two sweeps running
   at once take disjoint rows.
2. For each, send what its policy snapshot says has come (a reminder to the owner, an
   escalation to the owner and the manager or role) as notifications with unique keys, so
   each is created once whatever retries or restarts happen (R-SLA-3), then advance
   ``next_action_at``. Deliveries are enqueued after each batch commits.
3. Recovery: deliveries still pending past their grace period (the broker lost the message:
   Redis flushed or restarted) or left ``sending`` by a worker that died are enqueued again.
   PostgreSQL holds the truth; the broker only carries ids.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q, prefetch_related_objects
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from presales.models import Delivery, DeliveryState, Timer, TimerState, User
from presales.models.timers import EscalationTarget
from presales.roles import ROLE_SCOPE, Scope
from presales.sla.notifications import ESCALATION, RECOVERY_AFTER, REMINDER, enqueue_delivery, notify
from presales.sla.policies import PolicyValues, kind_label, plan

BATCH_SIZE = 200
MAX_BATCHES = 500  # a bound, so one sweep always ends; the next minute continues


@dataclass
class SweepResult:
    timers: int = 0
    reminders: int = 0
    escalations: int = 0
    notifications: int = 0
    recovered: int = 0
    batches: int = 0


def sweep(
    *,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    enqueue: Callable[[int], None] | None = None,
    recover: bool = True,
) -> SweepResult:
    """Process every timer due at ``now``, then re-enqueue stranded deliveries."""
    now = now or timezone.now()
    result = SweepResult()
    for _batch in range(MAX_BATCHES):
        claimed = sweep_batch(now=now, batch_size=batch_size, enqueue=enqueue, result=result)
        result.batches += 1
        if claimed < batch_size:
            break
    if recover:
        result.recovered = recover_deliveries(now=now, enqueue=enqueue)
    return result


def due_timers(now: datetime):
    """Open timers whose next action has come: the sweep's query (uses the partial index)."""
    return Timer.objects.filter(state=TimerState.OPEN, next_action_at__lte=now).order_by("next_action_at")


@transaction.atomic
def sweep_batch(*, now: datetime, batch_size: int, enqueue=None, result: SweepResult | None = None) -> int:
    """Claim up to ``batch_size`` due timers (skipping rows another sweep holds) and act on
    them in one transaction. Returns how many were claimed."""
    result = result if result is not None else SweepResult()
    timers = list(
        due_timers(now)
        .select_related("owner", "team")
        .select_for_update(skip_locked=True, of=("self",))[:batch_size]
    )
    if not timers:
        return 0
    prefetch_related_objects(timers, "subject")
    for timer in timers:
        _act(timer, now=now, enqueue=enqueue, result=result)
    Timer.objects.bulk_update(
        timers,
        ["reminders_sent", "escalations_sent", "reminded_at", "escalated_at", "next_action_at"],
    )
    result.timers += len(timers)
    return len(timers)


def _act(timer: Timer, *, now: datetime, enqueue, result: SweepResult) -> None:
    values = PolicyValues.from_snapshot(timer.policy)
    step = plan(
        values,
        due_at=timer.due_at,
        reminders_done=timer.reminders_sent,
        escalations_done=timer.escalations_sent,
        now=now,
    )
    if step.remind is not None:
        _notify(timer, timer.owner, REMINDER, f"timer:{timer.pk}:remind:{step.remind}", now, enqueue)
        timer.reminded_at = now
        result.reminders += 1
        result.notifications += 1
    if step.escalate is not None:
        for person in escalation_recipients(timer, values):
            key = f"timer:{timer.pk}:escalate:{step.escalate}:{person.pk}"
            _notify(timer, person, ESCALATION, key, now, enqueue)
            result.notifications += 1
        timer.escalated_at = now
        result.escalations += 1
    timer.reminders_sent = step.reminders_done
    timer.escalations_sent = step.escalations_done
    timer.next_action_at = step.next_action_at


def escalation_recipients(timer: Timer, values: PolicyValues) -> list[User]:
    """The owner (told it is overdue) and the escalation target (R-SLA-3): the manager of the
    timer's team (or of the owner's team), or the people holding a role (within the team for
    team-scoped roles)."""
    people: dict[int, User] = {}
    if timer.owner.is_active:
        people[timer.owner_id] = timer.owner
    if values.escalate_to == EscalationTarget.OWNER_MANAGER:
        manager_id = timer.team.manager_id if timer.team_id else None
        if manager_id is None and timer.owner.team_id:
            manager_id = timer.owner.team.manager_id
        if manager_id is not None and manager_id not in people:
            manager = User.objects.filter(pk=manager_id, is_active=True).first()
            if manager is not None:
                people[manager.pk] = manager
    elif values.escalate_to == EscalationTarget.ROLE and values.escalate_role:
        holders = User.objects.filter(is_active=True, groups__name=values.escalate_role)
        if ROLE_SCOPE.get(values.escalate_role) == Scope.TEAM and timer.team_id:
            holders = holders.filter(Q(team_id=timer.team_id) | Q(managed_teams=timer.team_id))
        for person in holders.distinct().order_by("pk"):
            people.setdefault(person.pk, person)
    return list(people.values())


def _subject_label(timer: Timer) -> str:
    subject = timer.subject
    return str(subject) if subject is not None else _("(deleted record)")


def subject_url(timer: Timer) -> str:
    """The record's page if it has one; else the deadlines page."""
    subject = timer.subject
    try:
        if subject is not None and hasattr(subject, "get_absolute_url"):
            return subject.get_absolute_url()
    except NoReverseMatch:
        pass
    return reverse("sla:deadlines")


def _notify(timer: Timer, recipient: User, kind: str, key: str, now: datetime, enqueue) -> None:
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        params = {
            "kind": str(kind_label(timer.kind)),
            "subject": _subject_label(timer),
            "due": formats.date_format(timezone.localtime(timer.due_at), "SHORT_DATETIME_FORMAT"),
            "owner": str(timer.owner),
        }
        if kind == REMINDER:
            title = _("Due %(due)s: %(kind)s, %(subject)s") % params
            body = _("%(kind)s for %(subject)s is due at %(due)s.") % params
        else:
            title = _("Overdue since %(due)s: %(kind)s, %(subject)s") % params
            body = (
                _("%(kind)s for %(subject)s was due at %(due)s and is not done. Owner: %(owner)s.") % params
            )
    notify(
        recipient=recipient,
        kind=kind,
        key=key,
        title=title,
        body=body,
        url=subject_url(timer),
        timer=timer,
        now=now,
        enqueue=enqueue,
    )


def recover_deliveries(*, now: datetime | None = None, enqueue=None, batch_size: int = 500) -> int:
    """Enqueue again the deliveries whose ``next_attempt_at`` has come: still pending after
    the grace period (lost by the broker), due for a retry after a transient failure, or
    left ``sending`` by a worker whose lease expired (it died). Each is pushed back by the
    grace period so a slow queue is not flooded with copies; the delivery task itself
    guarantees one send."""
    now = now or timezone.now()
    send = enqueue or enqueue_delivery
    with transaction.atomic():
        rows = list(
            Delivery.objects.filter(
                state__in=[DeliveryState.PENDING, DeliveryState.SENDING], next_attempt_at__lte=now
            )
            .order_by("next_attempt_at")
            .select_for_update(skip_locked=True)[:batch_size]
        )
        for row in rows:
            if row.state == DeliveryState.SENDING:
                row.last_error = "The worker's lease expired before it reported the result."
            row.state = DeliveryState.PENDING
            row.next_attempt_at = now + RECOVERY_AFTER
            row.updated_at = now
        Delivery.objects.bulk_update(rows, ["state", "next_attempt_at", "last_error", "updated_at"])
        for row in rows:
            transaction.on_commit(lambda pk=row.pk: send(pk), robust=True)
    return len(rows)
