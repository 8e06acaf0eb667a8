"""The timers of collaboration (R-COLL-1, R-COLL-2, R-SLA-1).

- ``collab_response``: started when a request is submitted, for the target department's
  head (:func:`collaboration.selectors.response_owner`); satisfied when it is accepted or
  declined, cancelled when the requester cancels; default 1 working day, editable as every
  policy; escalates to the owner's team manager.
- ``collab_due``: fixed at the request's due time; started when it is accepted, for the
  person who accepted; satisfied at completion, cancelled on cancellation; escalates.
- ``meeting_action``: fixed at the end of an action item's due day, for its owner;
  satisfied when done, cancelled if the item is removed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from presales.sla.choices import EscalationTarget, LimitUnit
from presales.sla.policies import PolicyValues, TimerKind, register_timer_kind
from presales.sla.subjects import register_timer_subject

COLLAB_RESPONSE = "collab_response"
COLLAB_DUE = "collab_due"
MEETING_ACTION = "meeting_action"
RESPONSE_WORKING_DAYS = 1


def register() -> None:
    from collaboration.models import ActionItem, CollaborationRequest

    manager = EscalationTarget.OWNER_MANAGER
    register_timer_kind(
        TimerKind(
            COLLAB_RESPONSE,
            _("Collaboration request response"),
            "R-COLL-1",
            PolicyValues(RESPONSE_WORKING_DAYS, LimitUnit.WORKING_DAYS, (4,), manager),
            _(
                "Started when a collaboration request is submitted; satisfied when it is accepted or declined."
            ),
        )
    )
    register_timer_kind(
        TimerKind(
            COLLAB_DUE,
            _("Collaboration request due time"),
            "R-COLL-1",
            PolicyValues(None, LimitUnit.FIXED, (24,), manager),
            _(
                "Started when a collaboration request is accepted, due at its due time; satisfied at completion."
            ),
        )
    )
    register_timer_kind(
        TimerKind(
            MEETING_ACTION,
            _("Meeting action item"),
            "R-COLL-2",
            PolicyValues(None, LimitUnit.FIXED, (24,), manager),
            _("Started when an action item is assigned, due at the end of its due day; satisfied when done."),
        )
    )
    register_timer_subject("collaboration.CollaborationRequest", lambda: CollaborationRequest.objects.all())
    register_timer_subject("collaboration.ActionItem", lambda: ActionItem.objects.select_related("minute"))
