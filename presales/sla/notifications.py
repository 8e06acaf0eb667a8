"""Creating notifications once, and the user's side of them (read, preferences).

``notify`` is the one way to create a notification: the caller names the event with a
unique ``key``; a second call with the same key returns the existing row and creates no
new delivery (R-SLA-3). Deliveries are enqueued only after the transaction commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from presales.core.errors import NotAllowed
from presales.core.tasks import enqueue
from presales.sla.models import Delivery, DeliveryChannel, Notification, NotificationPreference, TeamWebhook
from presales.sla.models.notifications import DeliveryState

# How long a fresh delivery waits for its on-commit enqueue before the sweep's recovery
# enqueues it again (the broker may have lost it: Redis flushed or restarted).
RECOVERY_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class NotificationKind:
    kind: str
    label: Any
    email_default: bool = True


REMINDER = "timer_reminder"
ESCALATION = "timer_escalation"
GRADE_CHANGE = "customer_grade_change"
CALENDAR_UNKNOWN = "calendar_unknown"

_KINDS: dict[str, NotificationKind] = {}


def register_notification_kind(kind: NotificationKind) -> NotificationKind:
    _KINDS[kind.kind] = kind
    return kind


def notification_kinds() -> list[NotificationKind]:
    return list(_KINDS.values())


def notification_kind_label(code: str):
    kind = _KINDS.get(code)
    return kind.label if kind else code


register_notification_kind(NotificationKind(REMINDER, _("Deadline reminders")))
register_notification_kind(NotificationKind(ESCALATION, _("Overdue escalations")))
register_notification_kind(NotificationKind(GRADE_CHANGE, _("Customer grade changes")))
register_notification_kind(NotificationKind(CALENDAR_UNKNOWN, _("Working-day calendar missing")))


DELIVER_TASK = "presales.sla.tasks.deliver_notification_task"


def enqueue_delivery(delivery_id: int) -> None:
    """Hand one delivery to Celery (called after commit)."""
    enqueue(DELIVER_TASK, delivery_id)


def wants_email(user, kind: str) -> bool:
    return _email_wanted({(user.pk, kind)}).get((user.pk, kind), _default_email(kind))


def _default_email(kind: str) -> bool:
    registered = _KINDS.get(kind)
    return registered.email_default if registered else False


def _email_wanted(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], bool]:
    """Saved email choices for (user id, kind) pairs, in one query."""
    if not pairs:
        return {}
    rows = NotificationPreference.objects.filter(
        user_id__in={u for u, _k in pairs}, kind__in={k for _u, k in pairs}
    ).values_list("user_id", "kind", "email")
    return {(u, k): email for u, k, email in rows}


@dataclass
class Message:
    """One notification to create: who, what, under which unique key."""

    recipient: Any
    kind: str
    key: str
    title: str
    body: str = ""
    url: str = ""
    timer: Any = None
    # The event the message tells of, when several people hear of one event (a review step
    # opening to two approvers, an escalation to the owner and the manager): the team robot
    # posts the event once, not once per recipient. Defaults to the timer and the kind, else
    # (within one ``notify_many`` call) to the kind and the page it links to: messages of one
    # kind about one page sent together tell of one event (a bid decision to each owner).
    event: str = ""

    def event_key(self) -> str:
        if self.event:
            return self.event
        if self.timer is not None:
            return f"timer:{self.timer.pk}:{self.kind}"
        if self.url:
            return f"{self.kind}:{self.url}"
        return self.key


def notify(
    *,
    recipient,
    kind: str,
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    timer=None,
    now: datetime | None = None,
    enqueue: Callable[[int], None] | None = None,
) -> Notification:
    """Create the notification named ``key`` once, with one delivery per channel the
    recipient gets (email by preference, the team's chat robot if it takes this kind).
    A second call with the same key returns the first notification and creates nothing.
    Deliveries are enqueued after the surrounding transaction commits."""
    message = Message(recipient, kind, key, title, body, url, timer)
    notify_many([message], now=now, enqueue=enqueue)
    return Notification.objects.get(key=key)


def notify_many(
    messages: list[Message], *, now: datetime | None = None, enqueue: Callable[[int], None] | None = None
) -> list[Notification]:
    """``notify`` for a batch, in a constant number of queries (the sweep's path). Returns
    the notifications created now (keys that already existed are skipped)."""
    now = now or timezone.now()
    if not messages:
        return []
    with transaction.atomic():
        unique = {m.key: m for m in messages}
        existing = set(Notification.objects.filter(key__in=list(unique)).values_list("key", flat=True))
        fresh = [m for key, m in unique.items() if key not in existing]
        if not fresh:
            return []
        rows = [
            Notification(
                recipient=m.recipient,
                kind=m.kind,
                key=m.key,
                title=m.title[:300],
                body=m.body,
                url=m.url[:500],
                timer=m.timer,
                created_at=now,
            )
            for m in fresh
        ]
        try:
            with transaction.atomic():
                Notification.objects.bulk_create(rows)
        except IntegrityError:
            # A concurrent writer created one of these keys meanwhile: fall back to one at a
            # time, keeping whichever row won (each key still exists once).
            rows = []
            for m in fresh:
                row, created = Notification.objects.get_or_create(
                    key=m.key,
                    defaults={
                        "recipient": m.recipient,
                        "kind": m.kind,
                        "title": m.title[:300],
                        "body": m.body,
                        "url": m.url[:500],
                        "timer": m.timer,
                        "created_at": now,
                    },
                )
                if created:
                    rows.append(row)
        events = {m.key: m.event_key() for m in fresh}
        _add_deliveries(rows, events=events, now=now, enqueue=enqueue or enqueue_delivery)
    return rows


def notify_people(
    people: Iterable[Any],
    *,
    kind: str,
    key: str,
    url: str,
    title: Callable[[], Any],
    body: Callable[[], Any] | None = None,
    actor: Any = None,
) -> list[Notification]:
    """Tell each of ``people`` of one event named ``key``: one message per distinct active
    person (``None`` and the ``actor`` who caused it skipped), keyed ``<key>:to:<pk>`` so a
    retried call sends nothing twice, the team robot posting the event once. ``title`` and
    ``body`` are callables of no argument, called in each recipient's language. Call it
    inside the writing transaction: deliveries are enqueued after it commits."""
    messages = []
    seen: set[int] = set()
    for person in people:
        if (
            person is None
            or person.pk in seen
            or person.pk == getattr(actor, "pk", None)
            or not person.is_active
        ):
            continue
        seen.add(person.pk)
        with translation.override(person.language or settings.LANGUAGE_CODE):
            messages.append(
                Message(
                    recipient=person,
                    kind=kind,
                    key=f"{key}:to:{person.pk}",
                    title=str(title()),
                    body=str(body()) if body else "",
                    url=url,
                    event=key,
                )
            )
    return notify_many(messages)


def _robot_team_id(notification: Notification) -> int | None:
    """Whose chat robot posts it: the record's team for a timer's notification (R-CUST-6: the
    team that may read it, never the recipient's other team), else the recipient's team."""
    timer = notification.timer if notification.timer_id else None
    if timer is not None and timer.team_id:
        return timer.team_id
    return notification.recipient.team_id


def _add_deliveries(
    notifications: list[Notification], *, events: dict[str, str], now: datetime, enqueue
) -> None:
    saved = _email_wanted({(n.recipient_id, n.kind) for n in notifications})
    team_ids = {_robot_team_id(n) for n in notifications} - {None}
    hooks = {h.team_id: h for h in TeamWebhook.objects.filter(team_id__in=team_ids, enabled=True)}
    deliveries = []
    posted: set[tuple[str, int]] = set()  # (event, robot): each robot posts an event once
    for n in notifications:
        person = n.recipient
        if person.is_active and person.email and saved.get((person.pk, n.kind), _default_email(n.kind)):
            deliveries.append(Delivery(notification=n, channel=DeliveryChannel.EMAIL))
        hook = hooks.get(_robot_team_id(n))
        if hook is not None and n.kind in (hook.kinds or []):
            event = (events.get(n.key, n.key), hook.pk)
            if event not in posted:
                posted.add(event)
                deliveries.append(Delivery(notification=n, channel=DeliveryChannel.WEBHOOK, webhook=hook))
    for delivery in deliveries:
        delivery.state = DeliveryState.PENDING
        delivery.created_at = now
        delivery.next_attempt_at = now + RECOVERY_AFTER
    Delivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        # robust: a broker that is down must neither undo nor break the committed work;
        # the sweep's recovery enqueues the delivery again later.
        transaction.on_commit(partial(enqueue, delivery.pk), robust=True)


# --- the reader's side ---------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, actor, notification: Notification, now: datetime | None = None) -> Notification:
    """Mark one of the actor's notifications read (idempotent)."""
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    if notification.recipient_id != actor.pk:
        raise NotAllowed(_("This notification is not yours."))
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notification_mark_all_read(*, actor, now: datetime | None = None) -> int:
    """Mark all the actor's unread notifications read; returns how many changed."""
    return Notification.objects.for_user(actor).unread().update(read_at=now or timezone.now())


@transaction.atomic
def notification_preferences_set(*, actor, email_kinds: set[str]) -> None:
    """Email for exactly the kinds in ``email_kinds`` (in-app stays on for every kind)."""
    for kind in notification_kinds():
        NotificationPreference.objects.update_or_create(
            user=actor, kind=kind.kind, defaults={"email": kind.kind in email_kinds}
        )
