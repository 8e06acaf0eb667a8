"""The lead and customer pages link their opportunities (issue 10): panels registered with
``leads.panels.register_detail_panel`` from ``OpportunitiesConfig.ready`` (leads sits below
this app). Each costs one or two queries whatever the customer's size."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode

from leads.models import Customer, Lead
from leads.panels import register_detail_panel
from opportunities.models import Opportunity
from presales.accounts.models import User
from presales.core.roles import WRITER_ROLES

# The customer page lists this many of the customer's opportunities, newest first; the
# filtered opportunity list has them all.
CUSTOMER_OPPORTUNITIES = 10


def lead_opportunity_panel(lead: Lead, user: User) -> dict[str, Any] | None:
    """The opportunity the lead became, when the viewer may see it (one query)."""
    if lead.status != "qualified":
        return None
    opportunity = (
        Opportunity.objects.visible_to(user).filter(lead_id=lead.pk).select_related("customer").first()
    )
    if opportunity is None:
        return None
    return {"template": "opportunities/partials/lead_opportunity.html", "opportunity": opportunity}


def customer_opportunities_panel(customer: Customer, user: User) -> dict[str, Any] | None:
    """The customer's opportunities the viewer may see: a count, the newest few, a link to
    the opportunity list filtered on the customer (two queries)."""
    visible = Opportunity.objects.visible_to(user).filter(customer_id=customer.pk)
    count = visible.count()
    rows = list(visible.order_by("-created_at", "-id")[:CUSTOMER_OPPORTUNITIES]) if count else []
    can_create = customer.merged_into_id is None and user.has_role(*WRITER_ROLES)
    return {
        "template": "opportunities/partials/customer_opportunities.html",
        "opportunities": rows,
        "count": count,
        "more": count > len(rows),
        "list_url": reverse("opportunities:list") + "?" + urlencode({"customer": customer.pk}),
        "create_url": reverse("opportunities:create") + "?" + urlencode({"customer": customer.pk})
        if can_create
        else "",
    }


def register() -> None:
    register_detail_panel("lead", lead_opportunity_panel)
    register_detail_panel("customer", customer_opportunities_panel)
