"""Creating notifications once, and the user's side of them (read, preferences).

``notify`` is the one way to create a notification: the caller names the event with a
unique ``key``; a second call with the same key returns the existing row and creates no
new delivery (R-SLA-3). Deliveries are enqueued only after the transaction commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from presales.errors import NotAllowed
from presales.models import (
    Delivery,
    DeliveryChannel,
    Notification,
    NotificationPreference,
    TeamWebhook,
)
from presales.models.notifications import DeliveryState

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


def enqueue_delivery(delivery_id: int) -> None:
    """Hand one delivery to Celery (called after commit)."""
    from presales.tasks import deliver_notification_task

    deliver_notification_task.delay(delivery_id)


def wants_email(user, kind: str) -> bool:
    pref = NotificationPreference.objects.filter(user=user, kind=kind).values_list("email", flat=True).first()
    if pref is not None:
        return pref
    registered = _KINDS.get(kind)
    return registered.email_default if registered else False


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
    Must run inside a transaction; deliveries are enqueued after it commits."""
    now = now or timezone.now()
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            key=key,
            defaults={
                "recipient": recipient,
                "kind": kind,
                "title": title[:300],
                "body": body,
                "url": url[:500],
                "timer": timer,
                "created_at": now,
            },
        )
        if not created:
            return notification
        deliveries = []
        if recipient.is_active and recipient.email and wants_email(recipient, kind):
            deliveries.append(Delivery(notification=notification, channel=DeliveryChannel.EMAIL))
        hook = TeamWebhook.objects.filter(team_id=recipient.team_id, enabled=True).first()
        if hook is not None and kind in (hook.kinds or []):
            deliveries.append(
                Delivery(notification=notification, channel=DeliveryChannel.WEBHOOK, webhook=hook)
            )
        for delivery in deliveries:
            delivery.state = DeliveryState.PENDING
            delivery.created_at = now
            delivery.next_attempt_at = now + RECOVERY_AFTER
        Delivery.objects.bulk_create(deliveries)
        send = enqueue or enqueue_delivery
        for delivery in deliveries:
            # robust: a broker that is down must not undo or break the committed work; the
            # sweep's recovery enqueues the delivery again later.
            transaction.on_commit(partial(send, delivery.pk), robust=True)
    return notification


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
