"""The surveys section of the opportunity desk (order 95, R-POST-1, R-POST-3, R-POST-4): the
opportunity's surveys (sent, answered, how) and their improvement actions; the actions'
timers in the desk's Timers tab."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kpi.models import ImprovementAction
from kpi.surveys import selectors
from opportunities.desk import DeskSection, register_desk_section, register_desk_timers


def desk_context(request: Any, opportunity: Any) -> dict[str, Any]:
    surveys = selectors.opportunity_surveys(opportunity)
    return {
        "opportunity": opportunity,
        "surveys": surveys,
        "actions": [a for s in surveys for a in s.improvement_actions.all()],
    }


def action_timers(opportunity: Any) -> Q:
    """The improvement actions' timers: a subquery, no query of its own."""
    return Q(
        subject_type=ContentType.objects.get_for_model(ImprovementAction),
        subject_id__in=ImprovementAction.objects.filter(survey__opportunity=opportunity).values("pk"),
    )


def register() -> None:
    register_desk_timers(action_timers)
    register_desk_section(
        DeskSection(
            key="surveys",
            label=_("Surveys"),
            order=95,
            template="kpi/surveys/desk.html",
            context=desk_context,
        )
    )
