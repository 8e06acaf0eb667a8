"""Reads of demos and trial requests, with what their pages and the API show fetched once."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from opportunities.models import Opportunity
from proposals.models import Demo, DemoAgendaItem, DemoChecklistItem, TrialRequest


def demo_list_queryset() -> QuerySet[Demo]:
    """Demos with their version, organizer and checklist counts (no query per row)."""
    return Demo.objects.select_related("opportunity", "solution_version__solution", "created_by").annotate(
        checklist_total=Count("checklist", distinct=True),
        checklist_done=Count("checklist", filter=Q(checklist__done=True), distinct=True),
    )


def demo_detail_queryset() -> QuerySet[Demo]:
    """One demo with everything its page, its .ics and its API answer read."""
    return demo_list_queryset().prefetch_related(
        "our_attendees",
        "customer_attendees",
        Prefetch(
            "agenda",
            queryset=DemoAgendaItem.objects.prefetch_related("requirements").order_by("position", "id"),
        ),
        Prefetch("checklist", queryset=DemoChecklistItem.objects.select_related("done_by").order_by("id")),
    )


def demos_of(opportunity: Opportunity) -> list[Demo]:
    return list(demo_list_queryset().filter(opportunity=opportunity).order_by("-starts_at", "-id"))


def trial_list_queryset() -> QuerySet[TrialRequest]:
    return TrialRequest.objects.select_related("opportunity", "requested_by", "returned_by")


def trials_of(opportunity: Opportunity) -> list[TrialRequest]:
    return list(trial_list_queryset().filter(opportunity=opportunity).order_by("-created_at", "-id"))
