"""The project initiation request's deadline (R-OPP-2, R-SLA-1).

The request's own timer (``initiation_review``, owned by its author) is driven by the
services that own the request's events (opportunities/services.py): started by
``initiation_submit``; satisfied by the approval or rejection callbacks; cancelled when the
review is withdrawn, also when the opportunity closes. Like every working-day timer it is
estimated, never refused, when next year's calendar is not entered yet (R-SLA-2).
"""

from __future__ import annotations

from opportunities.models import ProjectInitiation
from presales.sla.defaults import INITIATION_REVIEW
from presales.sla.models import Timer
from presales.sla.services import timer_start
from presales.sla.subjects import register_timer_subject


def start_initiation_timer(initiation, *, owner, start) -> Timer:
    """The initiation request waits for its decision: the author's timer, on the
    opportunity's team. Already open: returned unchanged."""
    return timer_start(
        kind=INITIATION_REVIEW,
        subject=initiation,
        owner=owner,
        start=start,
        team=initiation.opportunity.team,
    )


def _initiations():
    # An initiation's label names its opportunity.
    return ProjectInitiation.objects.select_related("opportunity")


def register() -> None:
    """Say how the records of initiation timers are fetched for their labels (from ``ready()``)."""
    register_timer_subject("opportunities.ProjectInitiation", _initiations)
