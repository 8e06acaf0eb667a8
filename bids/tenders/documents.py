"""The bid document as a PDF (issue 12, R-BID-1): its commercial, technical and price parts,
each in its current version, with the list of each part's attachments. A draft until the bid's
review approved it. Registered with the core's document framework from ``BidsConfig``."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Prefetch
from django.utils.translation import gettext_lazy as _

from bids.models import Bid, BidAttachment, BidPart
from bids.tenders.choices import BidStatus
from presales.documents.registry import DocumentType, register_document_type

PART_ORDER = {"commercial": 0, "technical": 1, "price": 2}


def _visible(user: Any):
    return Bid.objects.visible_to(user).select_related("opportunity__customer")


def _fingerprint(bid: Bid) -> str:
    parts = BidPart.objects.filter(bid=bid).aggregate(
        n=Count("versions"), latest=Max("versions__created_at"), files=Count("attachments")
    )
    return f"{bid.pk}:{bid.status}:{bid.version}:{parts['n']}:{parts['latest']}:{parts['files']}"


def _context(bid: Bid, variant: str, user: Any) -> dict[str, Any]:
    parts = list(
        BidPart.objects.filter(bid=bid)
        .select_related("current")
        .prefetch_related(
            Prefetch("attachments", queryset=BidAttachment.objects.order_by("created_at", "id"))
        )
    )
    parts.sort(key=lambda part: PART_ORDER.get(part.kind, 9))
    return {
        "bid": bid,
        "opportunity": bid.opportunity,
        "tender": getattr(bid.opportunity, "tender", None),
        "parts": [
            {
                "anchor": f"part-{part.pk}",
                "title": part.get_kind_display(),
                "version": part.current.number if part.current else None,
                "content": part.current.content if part.current else "",
                "attachments": [a.name for a in part.attachments.all()],
            }
            for part in parts
        ],
    }


def register() -> None:
    register_document_type(
        DocumentType(
            key="bid_document",
            label=_("Bid document"),
            model="bids.Bid",
            template="bids/tenders/document_bid.html",
            visible=_visible,
            context=_context,
            fingerprint=_fingerprint,
            number=lambda bid: f"BID-{bid.opportunity_id:06d}",
            final=lambda bid: bid.status not in (BidStatus.DRAFT, BidStatus.IN_REVIEW, BidStatus.REJECTED),
            title=lambda bid: str(bid.opportunity.title),
        )
    )
