"""Reads of handoffs (R-HAND-1..3): the handoff of an opportunity, its acceptances with their
rectifications, the package's sections as the page shows them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from bids import hooks
from bids.models import CustomerAcceptance, Handoff


def handoff_of(opportunity: Any) -> Handoff | None:
    return (
        Handoff.objects.filter(opportunity=opportunity)
        .select_related("receiving_team", "after_sales_owner", "acknowledged_by", "guide", "contract")
        .first()
    )


def acceptances_of(handoff: Handoff) -> list[CustomerAcceptance]:
    """Newest first, each with its rectification (and owner) in the same query."""
    return list(
        CustomerAcceptance.objects.filter(handoff=handoff)
        .select_related("rectification", "rectification__owner", "recorded_by")
        .order_by("-created_at", "-id")
    )


def handoffs_for(user: Any) -> QuerySet[Handoff]:
    return Handoff.objects.visible_to(user).select_related(
        "opportunity", "receiving_team", "after_sales_owner"
    )


def package_sections(handoff: Handoff) -> list[dict[str, Any]]:
    """The frozen sections, each labelled in the reader's language when its area is still
    registered (the frozen label otherwise). Cells are as frozen."""
    labels = {section.key: section.label for section in hooks.package_sections()}
    return [
        {**section, "label": labels.get(section.get("key"), section.get("label", ""))}
        for section in (handoff.package or {}).get("sections", [])
    ]
