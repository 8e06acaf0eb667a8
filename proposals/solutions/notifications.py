"""Who hears of what in solutions (bell, e-mail by preference, team robot):

- a writer given a section with a due date (R-SOL-1): what to write, for which version, by when;
- the opportunity's presales owner when customer feedback on a presented version is recorded
  (R-SOL-3): the revised version is due within the revision limit.

Each message has a unique key, so it is sent once whatever the retries. The review's own
outcome notices come from the review engine (reviews/notifications.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from presales.sla.notifications import Message, NotificationKind, notify_many, register_notification_kind

SECTION_ASSIGNED = register_notification_kind(
    NotificationKind("solution_section_assigned", gettext_lazy("Solution sections assigned to you"))
).kind
CUSTOMER_FEEDBACK = register_notification_kind(
    NotificationKind("solution_feedback", gettext_lazy("Customer feedback on solutions"))
).kind


def notify_section_assigned(section: Any, *, actor: Any) -> None:
    writer = section.writer
    if writer is None or not writer.is_active or writer.pk == actor.pk:
        return
    version = section.solution_version
    with translation.override(writer.language or settings.LANGUAGE_CODE):
        params = {
            "section": str(section.get_kind_display()),
            "version": str(version),
            "due": section.due_date.isoformat() if section.due_date else "—",
            "actor": str(actor),
        }
        title = _("Write “%(section)s” of %(version)s by %(due)s") % params
        body = (
            _("%(actor)s asked you to write the section “%(section)s” of %(version)s, due %(due)s.") % params
        )
    notify_many(
        [
            Message(
                recipient=writer,
                kind=SECTION_ASSIGNED,
                key=f"solution-section:{section.pk}:assigned:{writer.pk}:{params['due']}",
                title=title,
                body=body,
                url=reverse("proposals:solutions:version", args=[version.pk]) + f"#section-{section.pk}",
            )
        ]
    )


def notify_feedback(feedback: Any, *, owner: Any, actor: Any) -> None:
    if owner is None or not owner.is_active or owner.pk == actor.pk:
        return
    version = feedback.solution_version
    with translation.override(owner.language or settings.LANGUAGE_CODE):
        params = {"version": str(version), "content": feedback.content[:200]}
        title = _("Customer feedback on %(version)s: revise within 48 hours") % params
        body = _("The customer said: %(content)s") % params
    notify_many(
        [
            Message(
                recipient=owner,
                kind=CUSTOMER_FEEDBACK,
                key=f"solution-feedback:{feedback.pk}",
                title=title,
                body=body,
                url=reverse("proposals:solutions:solution", args=[version.solution_id]),
            )
        ]
    )
