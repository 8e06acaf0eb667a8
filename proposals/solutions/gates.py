"""The opportunity's stage gates a solution owns (R-SOL-5), added to the lifecycle table
(opportunities/transitions.py) from ``ProposalsConfig.ready``, with card facts so the board
shows why a move is blocked without a query per card.

- into review (``submit_for_review``): a version was submitted (in review or approved);
- into demo (``start_demo``): a version was approved.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from opportunities.models import card_fact, register_card_fact
from opportunities.transitions import add_guard
from proposals.choices import VersionStatus
from proposals.models import SolutionVersion

SUBMITTED = "solution_submitted"
APPROVED = "solution_approved"


def _submitted_fact():
    return Exists(
        SolutionVersion.objects.filter(
            solution__opportunity=OuterRef("pk"), status__in=(VersionStatus.IN_REVIEW, VersionStatus.APPROVED)
        )
    )


def _approved_fact():
    return Exists(
        SolutionVersion.objects.filter(solution__opportunity=OuterRef("pk"), status=VersionStatus.APPROVED)
    )


def solution_submitted(opportunity, actor, **context) -> list[str]:
    """Into review: a solution version has been sent to review."""
    has = card_fact(
        opportunity,
        SUBMITTED,
        lambda: SolutionVersion.objects.filter(solution__opportunity=opportunity).submitted().exists(),
    )
    if not has:
        return [_("Submit a solution version for review first.")]
    return []


def solution_approved(opportunity, actor, **context) -> list[str]:
    """Into demo (R-SOL-5): a solution version's review has approved it."""
    has = card_fact(
        opportunity,
        APPROVED,
        lambda: SolutionVersion.objects.filter(solution__opportunity=opportunity).approved().exists(),
    )
    if not has:
        return [_("A solution version must be approved by its review before the demo (R-SOL-5).")]
    return []


def register() -> None:
    register_card_fact(SUBMITTED, _submitted_fact)
    register_card_fact(APPROVED, _approved_fact)
    add_guard("submit_for_review", solution_submitted)
    add_guard("start_demo", solution_approved)


def register_all() -> None:
    """Everything solutions plug into the layers below (one call from ``ready``)."""
    from opportunities.hooks import register_on_closed
    from proposals import review_subjects
    from proposals.solutions import desk, services, timers

    register()
    register_on_closed(services.versions_on_opportunity_closed)
    timers.register()
    review_subjects.register()
    desk.register()
