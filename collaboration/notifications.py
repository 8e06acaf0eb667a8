"""Who hears of collaboration (R-COLL-1, R-COLL-2): bell, e-mail by preference, team robot
(``presales.sla.notifications``), each in their language. Called inside the writing
transaction (deliveries are enqueued after it commits); keys name the event and the recipient,
so a retried call sends nothing twice.

- the target department (its head, its teams' managers and members) when a request arrives;
- the requester when it is accepted, declined or completed;
- the person who completed it when it is rated;
- each action item's owner when it is assigned.
"""

from __future__ import annotations

from functools import partial

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from presales.accounts.models import User
from presales.sla.notifications import NotificationKind, notify_people, register_notification_kind

COLLABORATION = register_notification_kind(
    NotificationKind("collaboration", gettext_lazy("Collaboration requests and meeting action items"))
).kind


# One message per person concerned, in their language (see ``notify_people``).
_send = partial(notify_people, kind=COLLABORATION)


def department_people(department: str) -> list[User]:
    """Members and managers of the teams of ``department``."""
    return list(
        User.objects.filter(
            Q(team__department=department) | Q(managed_teams__department=department), is_active=True
        )
        .distinct()
        .order_by("pk")
    )


def request_submitted(request, *, actor) -> None:
    _send(
        department_people(request.target_department),
        actor=actor,
        key=f"collab:{request.pk}:submitted",
        url=request.get_absolute_url(),
        title=lambda: (
            _("Collaboration request %(number)s: %(item)s") % {"number": request.number, "item": request.item}
        ),
        body=lambda: request.description[:500],
    )


def request_answered(request, *, actor, event: str) -> None:
    titles = {
        "accepted": lambda: _("Your collaboration request %(number)s was accepted"),
        "declined": lambda: _("Your collaboration request %(number)s was declined"),
        "completed": lambda: _("Your collaboration request %(number)s was completed; please rate it"),
    }
    bodies = {
        "accepted": lambda: "",
        "declined": lambda: request.decline_reason[:500],
        "completed": lambda: request.result[:500],
    }
    _send(
        [request.requester],
        actor=actor,
        key=f"collab:{request.pk}:{event}",
        url=request.get_absolute_url(),
        title=lambda: titles[event]() % {"number": request.number},
        body=bodies[event],
    )


def request_rated(request, *, actor) -> None:
    _send(
        [request.completed_by],
        actor=actor,
        key=f"collab:{request.pk}:rated",
        url=request.get_absolute_url(),
        title=lambda: (
            _("Collaboration request %(number)s rated %(rating)s/5")
            % {"number": request.number, "rating": request.rating}
        ),
        body=lambda: request.rating_comment[:500],
    )


def action_item_assigned(item, *, actor) -> None:
    _send(
        [item.owner],
        actor=actor,
        key=f"action-item:{item.pk}:assigned:{item.owner_id}:{item.due_on.isoformat()}",
        url=item.get_absolute_url(),
        title=lambda: (
            _("Action item due %(date)s: %(description)s")
            % {"date": item.due_on.isoformat(), "description": item.description[:100]}
        ),
        body=lambda: str(item.minute),
    )
