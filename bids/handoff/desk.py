"""The handoff section of the opportunity desk (order 80, R-HAND-1..3): the frozen package,
the acknowledgment and the customer told, the acceptances with their rectifications, and the
actions as forms; the handoff's timers in the desk's Timers tab."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bids.handoff import selectors
from bids.handoff.choices import AcceptanceKind, AcceptanceResult, HandoffStatus, RectificationStatus
from bids.handoff.forms import (
    AcceptanceForm,
    AcknowledgeForm,
    InformForm,
    ReceiveForm,
    RectificationCloseForm,
    RouteForm,
)
from bids.handoff.services import can_receive, can_work_handoff
from bids.models import CustomerAcceptance, Handoff, Rectification
from opportunities.desk import DeskSection, register_desk_section, register_desk_timers


def handoff_context(request: Any, handoff: Handoff | None) -> dict[str, Any]:
    """What the desk tab and the handoff page show: constant queries (the handoff, its
    acceptances with their rectifications)."""
    context: dict[str, Any] = {"handoff": handoff, "statuses": HandoffStatus}
    if handoff is None:
        return context
    acceptances = selectors.acceptances_of(handoff)
    user = request.user
    receiver = can_receive(user, handoff)
    worker = can_work_handoff(user, handoff)
    sent = handoff.status == HandoffStatus.SENT
    acknowledged = handoff.status == HandoffStatus.ACKNOWLEDGED
    passed = {a.kind for a in acceptances if a.result == AcceptanceResult.PASSED}
    open_rect = [
        a.rectification
        for a in acceptances
        if a.result == AcceptanceResult.FAILED
        and hasattr(a, "rectification")
        and a.rectification.status == RectificationStatus.OPEN
    ]
    pending_product = any(
        a.kind == AcceptanceKind.PRODUCT and a.result == AcceptanceResult.PENDING for a in acceptances
    )
    context.update(
        {
            "sections": selectors.package_sections(handoff),
            "acceptances": acceptances,
            "can_receive": receiver,
            "can_work_handoff": worker,
            "acknowledge_form": AcknowledgeForm() if receiver and sent else None,
            "route_form": RouteForm(initial={"receiving_team": handoff.receiving_team_id})
            if worker and sent
            else None,
            "inform_form": InformForm(customer_id=handoff.opportunity.customer_id)
            if worker and acknowledged
            else None,
            "receive_form": (
                ReceiveForm()
                if worker
                and handoff.status != HandoffStatus.CANCELLED
                and not pending_product
                and AcceptanceKind.PRODUCT not in passed
                and not open_rect
                else None
            ),
            "acceptance_form": (
                AcceptanceForm()
                if worker and handoff.status != HandoffStatus.CANCELLED and len(passed) < 2
                else None
            ),
            "open_rectifications": open_rect,
            "close_form": RectificationCloseForm() if worker and open_rect else None,
        }
    )
    return context


def desk_context(request: Any, opportunity: Any) -> dict[str, Any]:
    handoff = selectors.handoff_of(opportunity)
    if handoff is not None:
        handoff.opportunity = opportunity
    return {**handoff_context(request, handoff), "opportunity": opportunity, "back": "desk"}


def handoff_timers(opportunity: Any) -> Q:
    """The acknowledgment timer (on the handoff), the product-acceptance and survey timers
    (on the acceptances) and the rectification timers: subqueries, no query of their own."""
    handoffs = Handoff.objects.filter(opportunity=opportunity).values("pk")
    return (
        Q(subject_type=ContentType.objects.get_for_model(Handoff), subject_id__in=handoffs)
        | Q(
            subject_type=ContentType.objects.get_for_model(CustomerAcceptance),
            subject_id__in=CustomerAcceptance.objects.filter(handoff__opportunity=opportunity).values("pk"),
        )
        | Q(
            subject_type=ContentType.objects.get_for_model(Rectification),
            subject_id__in=Rectification.objects.filter(acceptance__handoff__opportunity=opportunity).values(
                "pk"
            ),
        )
    )


def register() -> None:
    register_desk_timers(handoff_timers)
    register_desk_section(
        DeskSection(
            key="handoff",
            label=_("Handoff"),
            order=80,
            template="bids/handoff/desk.html",
            context=desk_context,
        )
    )
