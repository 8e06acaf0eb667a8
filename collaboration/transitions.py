"""The collaboration request's allowed moves (R-COLL-1): submitted → accepted → completed →
rated; submitted → declined; submitted/accepted → cancelled. One table; the service checks it
on the locked row.

Who may (decided here, tested in tests/collaboration):
- accept / decline / complete: a person of the target department (a member or the manager of a
  team of that department, the department head included), or an admin; never the requester
  (a request to one's own department is answered by someone else of it);
- rate / cancel: the requester only.
"""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext_lazy

from collaboration.choices import RequestStatus
from collaboration.models import CollaborationRequest, departments_of
from presales.core.statemachine import Machine, Move


def of_target_department(actor: Any, request: CollaborationRequest) -> bool:
    if not actor.is_authenticated or actor.pk == request.requester_id:
        return False
    if actor.is_superuser:
        return True
    return request.target_department in departments_of(actor)


def is_requester(actor: Any, request: CollaborationRequest) -> bool:
    return actor.is_authenticated and actor.pk == request.requester_id


MACHINE = Machine(
    [
        Move(
            "accept",
            frozenset({RequestStatus.SUBMITTED}),
            RequestStatus.ACCEPTED,
            cast(str, gettext_lazy("Accept")),
            permission=of_target_department,
            style="success",
        ),
        Move(
            "decline",
            frozenset({RequestStatus.SUBMITTED}),
            RequestStatus.DECLINED,
            cast(str, gettext_lazy("Decline")),
            input_fields=("reason",),
            permission=of_target_department,
            style="danger",
        ),
        Move(
            "complete",
            frozenset({RequestStatus.ACCEPTED}),
            RequestStatus.COMPLETED,
            cast(str, gettext_lazy("Complete")),
            input_fields=("result",),
            permission=of_target_department,
            style="success",
        ),
        Move(
            "rate",
            frozenset({RequestStatus.COMPLETED}),
            RequestStatus.RATED,
            cast(str, gettext_lazy("Rate")),
            input_fields=("rating", "comment"),
            permission=is_requester,
        ),
        Move(
            "cancel",
            frozenset({RequestStatus.SUBMITTED, RequestStatus.ACCEPTED}),
            RequestStatus.CANCELLED,
            cast(str, gettext_lazy("Cancel")),
            permission=is_requester,
            style="secondary",
        ),
    ]
)
