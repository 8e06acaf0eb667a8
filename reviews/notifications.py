"""Who hears of a review, and what they read (R-REV-1, R-REV-5).

Called explicitly from reviews/services.py, inside the transaction of the event and under
the review lock (no signals): the notifications are rows of that transaction, their
deliveries (bell, e-mail by preference, team robot) are enqueued after it commits
(``presales.sla.notifications.notify_many``).

- a step opens (the first at the start, the next when the previous one completes): each of
  its approvers is told a decision waits for them;
- the review is approved, rejected or withdrawn: its author and everyone who wrote or owns
  the subject (the subject type's ``authors_of``, the same people R-REV-5 keeps from
  deciding) are told the outcome, with the comments of a rejection.

Every message has a unique key naming the event and the recipient (a task opens once, a
review finishes once), so a retried call sends nothing twice; the actor is never told of
their own act; each text is written in the recipient's language.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from presales.accounts.models import User
from presales.sla.notifications import Message, NotificationKind, notify_many, register_notification_kind
from reviews.choices import ReviewStatus
from reviews.models import Review, ReviewTask

REVIEW_WAITING = register_notification_kind(
    NotificationKind("review_waiting", gettext_lazy("Reviews waiting for your decision"))
).kind
REVIEW_OUTCOME = register_notification_kind(
    NotificationKind("review_outcome", gettext_lazy("Outcomes of the reviews of your work"))
).kind


def _params(review: Review) -> dict[str, str]:
    return {"kind": str(review.kind_label), "subject": review.subject_summary}


def notify_step_opened(review: Review, tasks: Iterable[ReviewTask], *, actor: User | None) -> None:
    """Each approver of the opened ``tasks`` is told a decision waits for them (R-REV-1)."""
    messages = []
    for task in tasks:
        approver = task.approver
        if approver is None or (actor is not None and approver.pk == actor.pk) or not approver.is_active:
            continue
        with translation.override(approver.language or settings.LANGUAGE_CODE):
            params = {
                **_params(review),
                "order": task.step_order,
                "step": task.step_name,
                "author": str(review.author),
            }
            title = _("Waiting for your review: %(kind)s, %(subject)s") % params
            body = (
                _(
                    "Step %(order)s “%(step)s” of the %(kind)s review of %(subject)s waits for your "
                    "decision. Author: %(author)s."
                )
                % params
            )
        messages.append(
            Message(
                recipient=approver,
                kind=REVIEW_WAITING,
                key=f"review-task:{task.pk}:opened",
                title=title,
                body=body,
                url=review.get_absolute_url(),
                event=f"review:{review.pk}:step:{task.step_order}:opened",
            )
        )
    notify_many(messages)


def notify_finished(review: Review, *, recipient_ids: set[int], actor: User, edit_url: str = "") -> None:
    """The author and owners (``recipient_ids``, the actor left out) hear the outcome of
    ``review``: approved, rejected with its comments (R-REV-5), or withdrawn with the
    reason. A rejection links to ``edit_url`` (where the author revises) when given."""
    ids = set(recipient_ids) - {actor.pk}
    if not ids:
        return
    people = User.objects.filter(pk__in=ids, is_active=True).order_by("pk")
    messages = []
    for person in people:
        with translation.override(person.language or settings.LANGUAGE_CODE):
            params = {**_params(review), "actor": str(actor), "comment": review.outcome_note}
            url = review.get_absolute_url()
            if review.status == ReviewStatus.APPROVED:
                title = _("Approved: %(kind)s, %(subject)s") % params
                body = _("%(actor)s gave the last approval of the %(kind)s review of %(subject)s.") % params
            elif review.status == ReviewStatus.REJECTED:
                title = _("Rejected: %(kind)s, %(subject)s") % params
                body = (
                    _(
                        "%(actor)s rejected the %(kind)s review of %(subject)s with these comments: "
                        "%(comment)s Change it and send it to review again."
                    )
                    % params
                )
                url = edit_url or url
            else:
                title = _("Review withdrawn: %(kind)s, %(subject)s") % params
                body = _("%(actor)s withdrew the %(kind)s review of %(subject)s: %(comment)s") % params
        messages.append(
            Message(
                recipient=person,
                kind=REVIEW_OUTCOME,
                key=f"review:{review.pk}:{review.status}:to:{person.pk}",
                title=title,
                body=body,
                url=url,
                event=f"review:{review.pk}:{review.status}",
            )
        )
    notify_many(messages)
