"""The solutions section of the opportunity desk (R-SOL-1..6): the opportunity's solutions
with their versions, status and the next action, success cases (R-SOL-4), and the form to
start a solution. Constant queries: solutions with their versions (2), templates (1),
success cases (1)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _

from opportunities.desk import DeskSection, register_desk_reviews, register_desk_section, register_desk_timers
from opportunities.permissions import can_work_opportunity
from proposals.models import Solution, SolutionSection, SolutionVersion
from proposals.solutions.forms import SolutionCreateForm
from proposals.solutions.selectors import success_cases, with_requirement_changes


def desk_context(request: Any, opportunity: Any) -> dict[str, Any]:
    solutions = list(
        Solution.objects.filter(opportunity=opportunity)
        .order_by("id")
        .prefetch_related(
            Prefetch(
                "versions",
                # R-NEED-6: each version knows the requirements changed since it was written.
                queryset=with_requirement_changes(SolutionVersion.objects.select_related("author")).order_by(
                    "-number"
                ),
            )
        )
    )
    return {
        "opportunity": opportunity,
        "solutions": solutions,
        "can_work": can_work_opportunity(request.user, opportunity),
        "solution_form": SolutionCreateForm(),
        "success_cases": success_cases(request.user, opportunity),
    }


def desk_badge(opportunity: Any) -> Any:
    if opportunity.__dict__.get("solution_approved"):
        return _("approved")
    if opportunity.__dict__.get("solution_submitted"):
        return _("in review")
    return None


def version_reviews(opportunity: Any) -> Q:
    """The Reviews tab: the reviews of the opportunity's solution versions (R-REV-2, R-REV-6);
    a subquery, no query of its own."""
    return Q(
        content_type=ContentType.objects.get_for_model(SolutionVersion),
        object_id__in=SolutionVersion.objects.filter(solution__opportunity=opportunity).values("pk"),
    )


def solution_timers(opportunity: Any) -> Q:
    """The Timers tab: the writers' section deadlines (R-SOL-1) and the solutions' revision
    timers (R-SOL-3) of the opportunity."""
    return Q(
        subject_type=ContentType.objects.get_for_model(SolutionSection),
        subject_id__in=SolutionSection.objects.filter(
            solution_version__solution__opportunity=opportunity
        ).values("pk"),
    ) | Q(
        subject_type=ContentType.objects.get_for_model(Solution),
        subject_id__in=Solution.objects.filter(opportunity=opportunity).values("pk"),
    )


def register() -> None:
    register_desk_reviews(version_reviews)
    register_desk_timers(solution_timers)
    register_desk_section(
        DeskSection(
            key="solutions",
            label=_("Solutions"),
            order=30,
            template="proposals/solutions/desk.html",
            context=desk_context,
            badge=desk_badge,
        )
    )
