"""Reads of retrospectives (R-POST-2): the scoped list, the success cases the knowledge base
adopts, and the list URL the scorecards link to."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from kpi.models import CustomerConsent, Retrospective
from kpi.models.retrospectives import RetrospectiveQuerySet


def retrospectives_for(user: Any) -> RetrospectiveQuerySet:
    """The retrospectives of the opportunities ``user`` sees, with what the list shows."""
    return Retrospective.objects.visible_to(user).select_related(
        "opportunity", "opportunity__customer", "opportunity__presales_owner"
    )


def retrospective_of(opportunity: Any) -> Retrospective | None:
    """The opportunity's retrospective (the desk tab), or None while it is open."""
    return (
        Retrospective.objects.filter(opportunity=opportunity)
        .select_related("held_by")
        .prefetch_related("attendees")
        .first()
    )


def proposed_success_cases(user: Any) -> RetrospectiveQuerySet:
    """Won and accepted projects proposed as success cases whose customer gave consent
    (R-POST-2), as ``user`` sees them: what the knowledge base adopts."""
    return retrospectives_for(user).filter(success_case_proposed=True, customer_consent=CustomerConsent.GIVEN)


def retrospectives_url(
    *, presales_owner: int | None = None, closed_from: date | None = None, closed_until: date | None = None
) -> str:
    """The list page filtered by presales owner and closing dates (``closed_until`` exclusive),
    e.g. for a scorecard's link to the retrospectives behind a figure."""
    params: dict[str, Any] = {}
    if presales_owner is not None:
        params["presales_owner"] = presales_owner
    if closed_from is not None:
        params["closed_from"] = closed_from.isoformat()
    if closed_until is not None:
        params["closed_until"] = closed_until.isoformat()
    url = reverse("kpi:retrospectives:list")
    return f"{url}?{urlencode(params)}" if params else url
