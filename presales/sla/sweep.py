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

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q, prefetch_related_objects
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from presales.accounts.models import User
from presales.core.roles import ROLE_SCOPE, Scope
from presales.sla.choices import EscalationTarget
from presales.sla.models import Delivery, DeliveryState, Timer, TimerState
from presales.sla.notifications import (
    ESCALATION,
    RECOVERY_AFTER,
    REMINDER,
    Message,
    enqueue_delivery,
    notify_many,
)
from presales.sla.policies import PolicyValues, kind_label, plan
from presales.sla.subjects import subject_prefetch

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
BROKEN_RETRY = timedelta(minutes=15)
MAX_BATCHES = 500  # a bound, so one sweep always ends; the next minute continues


@dataclass
class SweepResult:
    timers: int = 0
    reminders: int = 0
    escalations: int = 0
    notifications: int = 0
    recovered: int = 0
    batches: int = 0
    errors: int = 0


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
    them in one transaction: a constant number of queries per batch, plus one small update
    per distinct new schedule. Returns how many were claimed."""
    result = result if result is not None else SweepResult()
    timers = list(
        due_timers(now)
        # The owner's team too: without a team manager, escalation falls back to it.
        .select_related("owner__team", "team")
        .select_for_update(skip_locked=True, of=("self",))[:batch_size]
    )
    if not timers:
        return 0
    prefetch_related_objects(timers, subject_prefetch())
    messages: list[Message] = []
    people = _People(subjects=[t.subject for t in timers])
    for timer in timers:
        try:
            messages.extend(_act(timer, now=now, result=result, people=people))
        except DatabaseError:
            raise
        except Exception:
            # One broken timer (a record whose label cannot be built, a corrupt snapshot)
            # must not block every timer behind it: it waits and is retried later.
            logger.exception("Timer %s could not be processed; retrying later", timer.pk)
            timer.next_action_at = now + BROKEN_RETRY
            result.errors += 1
    notify_many(messages, now=now, enqueue=enqueue)
    result.notifications += len(messages)
    _save_progress(timers)
    result.timers += len(timers)
    return len(timers)


PROGRESS_FIELDS = ("reminders_sent", "escalations_sent", "reminded_at", "escalated_at", "next_action_at")


def _save_progress(timers: list[Timer]) -> None:
    """Write the advanced counters and next action. Timers due together mostly share the
    same new values, so one UPDATE per distinct set (a CASE-per-row bulk update costs more)."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for timer in timers:
        groups[tuple(getattr(timer, f) for f in PROGRESS_FIELDS)].append(timer.pk)
    for values, ids in groups.items():
        Timer.objects.filter(pk__in=ids).update(**dict(zip(PROGRESS_FIELDS, values, strict=True)))


class _People:
    """Users looked up while sweeping one batch (managers, role holders), each once."""

    def __init__(self, subjects: list | None = None):
        self.users: dict[int, User | None] = {}
        self.roles: dict[tuple[str, int | None], list[User]] = {}
        # The batch's records by model, and which of them each recipient may see: one query
        # per recipient and model, not one per timer (issue 9).
        self.subjects: dict[type, set[int]] = defaultdict(set)
        for subject in subjects or []:
            if subject is not None:
                self.subjects[type(subject)].add(subject.pk)
        self.visible: dict[tuple[int, type], set[int] | None] = {}

    def may_see(self, user: User, subject) -> bool | None:
        """Whether ``user`` may see ``subject`` (a record of this batch), from one query
        per user and model; None when the record is not one of the batch's."""
        model = type(subject)
        if subject.pk not in self.subjects.get(model, ()):
            return None
        key = (user.pk, model)
        if key not in self.visible:
            queryset = model._default_manager.all()
            if not hasattr(queryset, "visible_to"):
                self.visible[key] = None
            else:
                pks = sorted(self.subjects[model])
                self.visible[key] = set(
                    queryset.visible_to(user).filter(pk__in=pks).values_list("pk", flat=True)
                )
        visible = self.visible[key]
        return True if visible is None else subject.pk in visible

    def user(self, pk: int) -> User | None:
        if pk not in self.users:
            self.users[pk] = User.objects.filter(pk=pk, is_active=True).first()
        return self.users[pk]

    def holders(self, role: str, team_id: int | None) -> list[User]:
        key = (role, team_id)
        if key not in self.roles:
            holders = User.objects.filter(is_active=True, groups__name=role)
            if ROLE_SCOPE.get(role) == Scope.TEAM and team_id:
                holders = holders.filter(Q(team_id=team_id) | Q(managed_teams=team_id))
            self.roles[key] = list(holders.distinct().order_by("pk"))
        return self.roles[key]


def _act(timer: Timer, *, now: datetime, result: SweepResult, people: _People) -> list[Message]:
    values = PolicyValues.from_snapshot(timer.policy)
    step = plan(
        values,
        due_at=timer.due_at,
        reminders_done=timer.reminders_sent,
        escalations_done=timer.escalations_sent,
        now=now,
    )
    messages = []
    if step.remind is not None:
        messages.append(
            _message(timer, timer.owner, REMINDER, f"timer:{timer.pk}:remind:{step.remind}", people)
        )
    if step.escalate is not None:
        for person in escalation_recipients(timer, values, people):
            key = f"timer:{timer.pk}:escalate:{step.escalate}:{person.pk}"
            messages.append(_message(timer, person, ESCALATION, key, people))
    # The row changes only once every message was built.
    if step.remind is not None:
        timer.reminded_at = now
        result.reminders += 1
    if step.escalate is not None:
        timer.escalated_at = now
        result.escalations += 1
    timer.reminders_sent = step.reminders_done
    timer.escalations_sent = step.escalations_done
    timer.next_action_at = step.next_action_at
    return messages


def escalation_recipients(timer: Timer, values: PolicyValues, people: _People | None = None) -> list[User]:
    """The owner (told it is overdue) and the escalation target (R-SLA-3): the manager of the
    timer's team (the record's; the owner's only for a timer without a team), or the people
    holding a role (within the team for team-scoped roles)."""
    people = people or _People()
    found: dict[int, User] = {}
    if timer.owner.is_active:
        found[timer.owner_id] = timer.owner
    if values.escalate_to == EscalationTarget.OWNER_MANAGER:
        # R-CUST-6: the manager of the record's team, who sees the record. A team without a
        # manager does not hand the record to the owner's other team: the owner alone is told.
        # Only a timer with no team at all falls back to the owner's team.
        if timer.team_id:
            manager_id = timer.team.manager_id
        else:
            manager_id = timer.owner.team.manager_id if timer.owner.team_id else None
        if manager_id is not None and manager_id not in found:
            manager = people.user(manager_id)
            if manager is not None:
                found[manager.pk] = manager
    elif values.escalate_to == EscalationTarget.ROLE and values.escalate_role:
        for person in people.holders(values.escalate_role, timer.team_id):
            found.setdefault(person.pk, person)
    return list(found.values())


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


def may_see_subject(timer: Timer, user: User) -> bool:
    """R-CUST-6: may ``user`` see the timer's record? Through its model's ``visible_to`` where
    the model has one; a record without row scoping is visible to whoever gets its timer."""
    subject = timer.subject
    if subject is None:
        return True
    queryset = type(subject)._default_manager.all()
    if not hasattr(queryset, "visible_to"):
        return True
    return queryset.visible_to(user).filter(pk=subject.pk).exists()


def _sees(timer: Timer, recipient: User, people: _People | None) -> bool:
    subject = timer.subject
    if people is not None and subject is not None:
        known = people.may_see(recipient, subject)
        if known is not None:
            return known
    return may_see_subject(timer, recipient)


def _message(timer: Timer, recipient: User, kind: str, key: str, people: _People | None = None) -> Message:
    """The text of a reminder or an escalation, in the recipient's language. A recipient who
    cannot see the record (a role holder, a manager outside its team) gets a neutral text
    with the link: no customer or lead name (R-CUST-6)."""
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        params = {
            "kind": str(kind_label(timer.kind)),
            "subject": _subject_label(timer),
            "due": formats.date_format(timezone.localtime(timer.due_at), "Y-m-d H:i"),
            "owner": str(timer.owner),
        }
        if recipient.pk != timer.owner_id and not _sees(timer, recipient, people):
            title = _("Overdue since %(due)s: %(kind)s") % params
            body = (
                _(
                    "%(kind)s on a record outside your view was due at %(due)s and is not done. Owner: %(owner)s."
                )
                % params
            )
        elif kind == REMINDER:
            title = _("Due %(due)s: %(kind)s, %(subject)s") % params
            body = _("%(kind)s for %(subject)s is due at %(due)s.") % params
        else:
            title = _("Overdue since %(due)s: %(kind)s, %(subject)s") % params
            body = (
                _("%(kind)s for %(subject)s was due at %(due)s and is not done. Owner: %(owner)s.") % params
            )
    return Message(recipient, kind, key, title, body, subject_url(timer), timer)


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
