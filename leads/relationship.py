"""The customer page's relationship panel (issue 14): next contact due (R-CUST-7), the
suggested tier and its apply action (R-CUST-4), the coming visit plans (R-CUST-7). Two
queries whatever the customer's size (the page's query count is pinned)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from leads.cadence import next_contact_due
from leads.choices import Tier, VisitStatus
from leads.models import Customer, VisitPlan
from leads.services import can_edit_customer
from presales.accounts.models import User

PANEL_VISITS = 5


def customer_relationship_panel(customer: Customer, user: User) -> dict[str, Any] | None:
    if customer.merged_into_id:
        return None
    can_edit = can_edit_customer(user, customer)
    due = next_contact_due(customer)
    now = timezone.now()
    suggested = customer.suggested_tier
    return {
        "template": "leads/partials/customer_relationship.html",
        "customer_due": due["customer"],
        "customer_overdue": bool(due["customer"] and due["customer"] < now),
        "decision_maker_due": due["decision_maker"],
        "decision_maker_overdue": bool(due["decision_maker"] and due["decision_maker"] < now),
        "suggested_tier": Tier(suggested).label if suggested else "",
        "suggested_reason": customer.suggested_tier_reason,
        "differs": bool(suggested) and suggested != customer.tier,
        "apply_url": reverse("leads:customer_apply_tier", args=[customer.pk]) if can_edit else "",
        "visits": list(
            VisitPlan.objects.filter(customer=customer, status=VisitStatus.PLANNED)
            .select_related("planner")
            .order_by("planned_at", "id")[:PANEL_VISITS]
        ),
        "plan_url": reverse("leads:visit_create", args=[customer.pk]) if can_edit else "",
        "can_edit": can_edit,
    }
