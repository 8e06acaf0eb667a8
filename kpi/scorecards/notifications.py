"""Who hears of a scorecard (R-KPI-2): the person when it is shared and when it is signed
off, the manager when the person comments. Bell, e-mail by preference, in each recipient's
language (``presales.sla.notifications``); keys name the event and the recipient, so a retried
call sends nothing twice. Called inside the writing transaction; deliveries go after commit."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from presales.sla.notifications import Message, NotificationKind, notify_many, register_notification_kind

SCORECARD = register_notification_kind(NotificationKind("scorecard", gettext_lazy("Scorecards"))).kind


def _send(person: Any, *, actor: Any, key: str, url: str, title) -> None:
    if person is None or not person.is_active or person.pk == getattr(actor, "pk", None):
        return
    with translation.override(person.language or settings.LANGUAGE_CODE):
        message = Message(
            recipient=person,
            kind=SCORECARD,
            key=f"{key}:to:{person.pk}",
            title=str(title()),
            body="",
            url=url,
            event=key,
        )
    notify_many([message])


def scorecard_shared(scorecard: Any, *, actor: Any) -> None:
    _send(
        scorecard.person,
        actor=actor,
        key=f"scorecard:{scorecard.pk}:shared",
        url=scorecard.get_absolute_url(),
        title=lambda: _("Your scorecard for %(period)s is ready to read") % {"period": scorecard.period},
    )


def scorecard_signed(scorecard: Any, *, actor: Any) -> None:
    _send(
        scorecard.person,
        actor=actor,
        key=f"scorecard:{scorecard.pk}:signed",
        url=scorecard.get_absolute_url(),
        title=lambda: _("Your scorecard for %(period)s was signed off") % {"period": scorecard.period},
    )


def scorecard_commented(scorecard: Any, comment: Any, *, actor: Any, manager: Any) -> None:
    _send(
        manager,
        actor=actor,
        key=f"scorecard:{scorecard.pk}:comment:{comment.pk}",
        url=scorecard.get_absolute_url(),
        title=lambda: (
            _("%(name)s commented on the scorecard for %(period)s")
            % {"name": scorecard.person_name, "period": scorecard.period}
        ),
    )
