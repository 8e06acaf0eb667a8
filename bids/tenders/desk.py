"""The bids section of the opportunity desk (order 60): the bid decision, the tender with its
documents checklist, the bid with its review, seal and result (forms post to
bids/tenders/views.py). Reads in a constant number of queries."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _

from bids.biddocs import forms as doc_forms
from bids.biddocs.services import frozen_reasons
from bids.models import Bid, BidAttachment, BidDecision, BidPart, BidPartVersion, DefenceQuestion, Tender
from bids.tenders import forms
from bids.tenders.choices import QuestionStatus
from bids.tenders.services import seal_refusals
from opportunities.desk import DeskSection, register_desk_reviews, register_desk_section, register_desk_timers
from opportunities.permissions import can_work_opportunity


def desk_context(request, opportunity) -> dict[str, Any]:
    decision = BidDecision.objects.filter(opportunity=opportunity).first()
    tender = Tender.objects.filter(opportunity=opportunity).prefetch_related("documents").first()
    bid = Bid.objects.filter(opportunity=opportunity).first()
    return {
        **_documents_context(bid),
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


def _question_form(question: DefenceQuestion) -> doc_forms.QuestionForm:
    form = doc_forms.QuestionForm(
        initial={"question": question.question, "answer": question.answer, "owner": question.owner_id},
        auto_id=f"q{question.pk}_%s",
    )
    # The owner was fetched with the question: the picker shows it without a query each.
    owner = question.owner
    form.fields["owner"].widget.choices = [("", "")] + ([(owner.pk, str(owner))] if owner else [])
    return form


def _documents_context(bid: Bid | None) -> dict[str, Any]:
    """The bid document's parts with their versions and attachments, and the defence
    questions with their owners (R-BID-1, R-BID-3): a fixed number of queries."""
    if bid is None:
        return {"parts": [], "questions": [], "unanswered": 0, "parts_locked": []}
    parts = list(
        BidPart.objects.filter(bid=bid)
        .select_related("current__created_by")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=BidPartVersion.objects.defer("content", "text")
                .select_related("created_by")
                .order_by("-number"),
            ),
            Prefetch("attachments", queryset=BidAttachment.objects.order_by("id")),
        )
        .order_by("kind")
    )
    order = {"commercial": 0, "technical": 1, "price": 2}
    parts.sort(key=lambda part: order.get(part.kind, 9))
    questions = list(DefenceQuestion.objects.filter(bid=bid).select_related("owner").order_by("id"))
    return {
        "parts": parts,
        "parts_locked": frozen_reasons(bid),
        "part_form": doc_forms.PartForm(),
        "attachment_form": doc_forms.AttachmentForm(),
        "questions": [(question, _question_form(question)) for question in questions],
        "unanswered": sum(1 for q in questions if q.status == QuestionStatus.OPEN),
        "question_form": doc_forms.QuestionForm(),
        "to_library_form": doc_forms.ToLibraryForm(),
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
