"""The demos section of the opportunity desk (order 50): demos and trial requests."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opportunities.desk import DeskSection, register_desk_reviews, register_desk_section, register_desk_timers
from opportunities.permissions import can_work_opportunity
from proposals.demos import selectors
from proposals.models import Demo, TrialRequest


def desk_context(request, opportunity) -> dict[str, Any]:
    return {
        "demos": selectors.demos_of(opportunity),
        "trials": selectors.trials_of(opportunity),
        "can_work": can_work_opportunity(request.user, opportunity),
        "opportunity": opportunity,
    }


def trial_reviews(opportunity: Any) -> Q:
    """The Reviews tab: the approvals of the opportunity's trial requests (R-DEMO-3)."""
    return Q(
        content_type=ContentType.objects.get_for_model(TrialRequest),
        object_id__in=TrialRequest.objects.filter(opportunity=opportunity).values("pk"),
    )


def demo_timers(opportunity: Any) -> Q:
    """The Timers tab: the demos' feedback timers (R-DEMO-2) and the trials' return timers
    (R-DEMO-3) of the opportunity."""
    return Q(
        subject_type=ContentType.objects.get_for_model(Demo),
        subject_id__in=Demo.objects.filter(opportunity=opportunity).values("pk"),
    ) | Q(
        subject_type=ContentType.objects.get_for_model(TrialRequest),
        subject_id__in=TrialRequest.objects.filter(opportunity=opportunity).values("pk"),
    )


def register() -> None:
    register_desk_reviews(trial_reviews)
    register_desk_timers(demo_timers)
    register_desk_section(
        DeskSection(
            key="demos",
            label=_("Demos and trials"),
            order=50,
            template="proposals/demos/desk.html",
            context=desk_context,
        )
    )
