"""The opportunity desk's own sections (issue 10): reviews, timers, history.

Registered like any app's (``opportunities.desk.register_desk_section``) from
``OpportunitiesConfig.ready``; the needs (20), solutions (30) and demos (50) of ``proposals``
come between them. An app registering the key ``reviews`` (say, with the solution review
board's own tab) replaces this one.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opportunities.desk import DeskSection, register_desk_section
from opportunities.models import InitiationMember, Opportunity, ProjectInitiation, ProjectMember
from opportunities.selectors import (
    DESK_REVIEWS,
    DESK_TIMERS,
    opportunity_reviews,
    opportunity_timers,
    stage_history,
)
from presales.core.audit import history_page
from presales.core.windows import more_url


def opportunity_histories(opportunity: Opportunity, initiation: ProjectInitiation | None) -> list:
    """The audit trails the desk merges: the opportunity, its team, its request."""
    histories = [
        opportunity.history.all(),
        ProjectMember.history.filter(opportunity_id=opportunity.pk),
    ]
    if initiation is not None:
        histories += [
            initiation.history.all(),
            InitiationMember.history.filter(initiation_id=initiation.pk),
        ]
    return histories


def reviews_context(request: Any, opportunity: Opportunity) -> dict[str, Any]:
    reviews = opportunity_reviews(opportunity)
    return {"desk_reviews": reviews, "desk_reviews_capped": len(reviews) >= DESK_REVIEWS}


def timers_context(request: Any, opportunity: Opportunity) -> dict[str, Any]:
    timers = opportunity_timers(opportunity)
    return {"timers": timers, "now": timezone.now(), "desk_timers_capped": len(timers) >= DESK_TIMERS}


def history_context(request: Any, opportunity: Opportunity) -> dict[str, Any]:
    page = history_page(*opportunity_histories(opportunity, opportunity.initiation_or_none))
    return {
        "stage_changes": stage_history(opportunity),
        "entries": page.entries,
        "history_more": more_url(reverse("opportunities:history", args=[opportunity.pk]), page.older),
    }


def register() -> None:
    register_desk_section(
        DeskSection(
            key="reviews",
            label=_("Reviews"),
            order=40,
            template="opportunities/desk/reviews.html",
            context=reviews_context,
        )
    )
    register_desk_section(
        DeskSection(
            key="timers",
            label=_("Timers"),
            order=80,
            template="opportunities/desk/timers.html",
            context=timers_context,
        )
    )
    register_desk_section(
        DeskSection(
            key="history",
            label=_("History"),
            order=90,
            template="opportunities/desk/history.html",
            context=history_context,
        )
    )
