"""The bids section of the opportunity desk (order 60): the bid decision, the tender with its
documents checklist, the bid with its review, seal and result (forms post to
bids/tenders/views.py). Reads in a constant number of queries."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bids.models import Bid, BidDecision, Tender
from bids.tenders import forms
from bids.tenders.services import seal_refusals
from opportunities.desk import DeskSection, register_desk_reviews, register_desk_section, register_desk_timers
from opportunities.permissions import can_work_opportunity


def desk_context(request, opportunity) -> dict[str, Any]:
    decision = BidDecision.objects.filter(opportunity=opportunity).first()
    tender = Tender.objects.filter(opportunity=opportunity).prefetch_related("documents").first()
    bid = Bid.objects.filter(opportunity=opportunity).first()
    return {
        "decision": decision,
        "decision_form": forms.DecisionForm(
            initial={"analysis": decision.analysis, "strategy": decision.strategy} if decision else None
        ),
        "decide_form": forms.DecideForm(),
        "tender": tender,
        "tender_form": forms.TenderForm(instance=tender),
        "document_form": forms.DocumentForm(),
        "bid": bid,
        "bid_form": forms.BidForm(initial={"summary": bid.summary} if bid else None),
        "result_form": forms.ResultForm(),
        "seal_reasons": seal_refusals(bid, tender) if bid is not None else [],
        "can_work": can_work_opportunity(request.user, opportunity),
        "opportunity": opportunity,
    }


def bid_reviews(opportunity: Any) -> Q:
    """The Reviews tab: the bid's review (R-REV-3)."""
    return Q(
        content_type=ContentType.objects.get_for_model(Bid),
        object_id__in=Bid.objects.filter(opportunity=opportunity).values("pk"),
    )


def tender_timers(opportunity: Any) -> Q:
    """The Timers tab: the tender's deadline and bond timers (R-BID-1, R-BID-2)."""
    return Q(
        subject_type=ContentType.objects.get_for_model(Tender),
        subject_id__in=Tender.objects.filter(opportunity=opportunity).values("pk"),
    )


def register() -> None:
    register_desk_reviews(bid_reviews)
    register_desk_timers(tender_timers)
    register_desk_section(
        DeskSection(
            key="bids",
            label=_("Bid"),
            order=60,
            template="bids/tenders/desk.html",
            context=desk_context,
        )
    )
