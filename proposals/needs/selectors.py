"""Reads of the needs analysis: the needs section of the opportunity desk, lists scoped by
the opportunity's visibility (constant query counts, pinned in the tests)."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Prefetch, QuerySet, Value, When

from knowledge.choices import ArticleKind, ArticleStatus
from knowledge.models import Article
from opportunities.models import Opportunity, opportunity_visibility_q
from opportunities.permissions import can_work_opportunity
from presales.core.roles import Actor
from proposals.choices import ConfirmationStatus, Feasibility
from proposals.models import (
    ChangeRequest,
    ConfirmationRequest,
    NeedsAnalysis,
    NeedsReport,
    OpportunityCommunication,
    RDRequest,
    Requirement,
    RequirementConfirmation,
)


def visible_requirements(user: Actor) -> QuerySet[Requirement]:
    return Requirement.objects.filter(opportunity_visibility_q(user, prefix="opportunity__"))


def requirements_of(opportunity: Opportunity) -> QuerySet[Requirement]:
    """The list as shown: in order, with the R&D questions (one prefetch)."""
    return (
        Requirement.objects.filter(opportunity=opportunity)
        .select_related("confirmed_contact")
        .prefetch_related(
            Prefetch(
                "confirmations",
                queryset=RequirementConfirmation.objects.order_by("-at", "-id"),
            ),
            Prefetch(
                "rd_requests",
                queryset=RDRequest.objects.select_related("assignee", "answered_by").order_by(
                    "-created_at", "-id"
                ),
            ),
        )
        .order_by("position", "number")
    )


def needs_desk_context(request: Any, opportunity: Opportunity) -> dict[str, Any]:
    """What the needs section shows (a constant number of queries)."""
    analysis = NeedsAnalysis.objects.filter(opportunity=opportunity).first() or NeedsAnalysis(
        opportunity=opportunity
    )
    requirements = list(requirements_of(opportunity))
    return {
        "opportunity": opportunity,
        "analysis": analysis,
        "requirements": requirements,
        "can_work": can_work_opportunity(request.user, opportunity) and opportunity.is_open,
        "confirmation_requests": list(
            ConfirmationRequest.objects.filter(opportunity=opportunity)
            .select_related("contact", "sent_by")
            .order_by("-created_at", "-id")[:20]
        ),
        "change_requests": list(
            ChangeRequest.objects.filter(opportunity=opportunity)
            .select_related("requirement", "created_by")
            .order_by("-created_at", "-id")[:20]
        ),
        "reports": list(
            NeedsReport.objects.filter(opportunity=opportunity)
            .select_related("created_by")
            .defer("content")
            .order_by("-number")[:20]
        ),
        "communications": list(
            OpportunityCommunication.objects.filter(opportunity=opportunity)
            .select_related("communication__author", "communication__contact")
            .prefetch_related("communication__participant_users", "communication__participant_contacts")
            .order_by("-communication__occurred_at", "-id")[:20]
        ),
        "summary": summary(requirements),
    }


def summary(requirements: list[Requirement]) -> dict[str, int]:
    return {
        "total": len(requirements),
        "confirmed": sum(1 for r in requirements if r.confirmation_status == ConfirmationStatus.CONFIRMED),
        "needs_rd": sum(1 for r in requirements if r.feasibility == Feasibility.NEEDS_RD),
    }


def needs_badge(opportunity: Opportunity) -> str | None:
    """ "confirmed/total" on the desk's tab."""
    rows = list(
        Requirement.objects.filter(opportunity=opportunity).values_list("confirmation_status", flat=True)
    )
    if not rows:
        return None
    return f"{sum(1 for s in rows if s == ConfirmationStatus.CONFIRMED)}/{len(rows)}"


def requirement_changes_since(opportunity_id: int, since: Any) -> QuerySet[ChangeRequest]:
    """R-NEED-6, for the solutions: the requirements added or changed after the customer's
    confirmation since ``since`` (e.g. a solution version's creation): a version written
    before them was built on the old text and needs revision."""
    return (
        ChangeRequest.objects.filter(opportunity_id=opportunity_id, created_at__gt=since)
        .select_related("requirement")
        .order_by("-created_at", "-id")
    )


def needs_templates_for(user: Any, opportunity: Opportunity, limit: int = 10) -> list[Any]:
    """The published industry needs templates (R-KB-1) the user may read, of the customer's
    industry first, then the others: at most ``limit``, one query."""
    industry = opportunity.customer.industry
    return list(
        Article.objects.visible_to(user)
        .filter(kind=ArticleKind.NEEDS_TEMPLATE, status=ArticleStatus.PUBLISHED)
        .annotate(same_industry=Case(When(industry=industry, then=Value(0)), default=Value(1)))
        .order_by("same_industry", "title", "id")
        .only("id", "title", "industry")[:limit]
    )
