"""Who hears of a demo (R-DEMO-1): our attendees are told when it is scheduled, moved or
cancelled (bell, e-mail by preference, team robot: ``presales.sla.notifications``), each in
their language, with the link to their .ics invitation. Called from the demo services inside
their transaction; the deliveries are enqueued after it commits. Keys name the demo, its
invitation sequence and the recipient, so a retried call sends nothing twice and a
reschedule (a new sequence) is told again."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from presales.accounts.models import User
from presales.sla.notifications import Message, NotificationKind, notify_many, register_notification_kind
from proposals.models import Demo

DEMO_INVITATION = register_notification_kind(
    NotificationKind("demo_invitation", gettext_lazy("Demo invitations and changes"))
).kind

INVITED = "invited"
RESCHEDULED = "rescheduled"
CANCELLED = "cancelled"


KEY_PREFIX = "demo:"


def invitation_attachments(notification) -> list[tuple[str, bytes, str]]:
    """The e-mail of a demo notice carries the recipient's .ics (RFC 5545): the demo as it
    stands when the e-mail is sent (a later change has its own notice, a higher SEQUENCE).
    Registered with ``presales.sla.delivery.register_email_attachments``."""
    from proposals.demos import ics, selectors

    key = notification.key or ""
    raw = key[len(KEY_PREFIX) :].split(":", 1)[0] if key.startswith(KEY_PREFIX) else ""
    if not raw.isdigit():
        return []
    demo = selectors.demo_detail_queryset().filter(pk=int(raw)).first()
    if demo is None:
        return []
    content = ics.demo_ics(demo, language=getattr(notification.recipient, "language", "") or None)
    method = "CANCEL" if demo.status == "cancelled" else "REQUEST"
    return [(f"demo-{demo.pk}.ics", content, f"text/calendar; charset=utf-8; method={method}")]


def ics_url(demo: Demo, attendee_key: str) -> str:
    return reverse("proposals:demo-ics", args=[demo.pk, attendee_key])


def notify_attendees(demo: Demo, *, event: str, actor: User | None, people: list[User] | None = None) -> None:
    """Tell our attendees (or ``people``) of ``event`` on ``demo``; the actor is left out."""
    recipients = people if people is not None else list(demo.our_attendees.filter(is_active=True))
    messages = []
    for person in recipients:
        if actor is not None and person.pk == actor.pk:
            continue
        with translation.override(person.language or settings.LANGUAGE_CODE):
            params = {
                "title": demo.title,
                "when": date_format(timezone.localtime(demo.starts_at), "DATETIME_FORMAT"),
                "minutes": demo.duration_minutes,
                "where": demo.location or demo.online_link or "-",
                "ics": ics_url(demo, f"user-{person.pk}"),
            }
            if event == INVITED:
                title = _("Demo invitation: %(title)s, %(when)s") % params
                body = (
                    _(
                        "You are invited to the demo %(title)s on %(when)s (%(minutes)s min) at %(where)s. Calendar invitation: %(ics)s"
                    )
                    % params
                )
            elif event == RESCHEDULED:
                title = _("Demo changed: %(title)s, %(when)s") % params
                body = (
                    _(
                        "The demo %(title)s now takes place on %(when)s (%(minutes)s min) at %(where)s. Updated calendar invitation: %(ics)s"
                    )
                    % params
                )
            else:
                title = _("Demo cancelled: %(title)s") % params
                body = _("The demo %(title)s planned on %(when)s is cancelled.") % params
        messages.append(
            Message(
                recipient=person,
                kind=DEMO_INVITATION,
                key=f"demo:{demo.pk}:seq:{demo.sequence}:{event}:to:{person.pk}",
                title=title,
                body=body,
                url=demo.get_absolute_url(),
                event=f"demo:{demo.pk}:seq:{demo.sequence}:{event}",
            )
        )
    notify_many(messages)
