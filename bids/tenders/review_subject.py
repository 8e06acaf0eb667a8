"""The bid as a review subject of kind ``bid`` (R-REV-3): the default chain (presales
manager, legal, finance) is in reviews/defaults.py. The engine's decisions move the bid's
status through ``bids.tenders.services`` in the deciding vote's transaction."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bids.models import Bid
from bids.tenders.services import (
    BID_REVIEW_KIND,
    bid_on_approved,
    bid_on_cancelled,
    bid_on_rejected,
    lock_bid,
)
from opportunities.models import opportunity_visibility_q
from reviews.registry import ContentItem, SubjectType, register_subject_type


def _authors_of(bid: Bid) -> set[int]:
    opportunity = bid.opportunity
    return {
        pk
        for pk in (bid.created_by_id, opportunity.sales_owner_id, opportunity.presales_owner_id)
        if pk is not None
    }


def _describe(bid: Bid) -> list[ContentItem]:
    return [ContentItem(label=str(_("Summary")), text=bid.summary)]


def register() -> None:
    register_subject_type(
        SubjectType(
            kind=BID_REVIEW_KIND,
            model="bids.Bid",
            label=_("Bid"),
            team_of=lambda bid: bid.opportunity.team,
            author_of=lambda bid: bid.created_by,
            summary_of=lambda bid: str(_("Bid · %(opportunity)s") % {"opportunity": bid.opportunity.title}),
            url_of=lambda bid: bid.get_absolute_url(),
            on_approved=bid_on_approved,
            on_rejected=bid_on_rejected,
            on_cancelled=bid_on_cancelled,
            lock=lock_bid,
            authors_of=_authors_of,
            visible_to=lambda user: Bid.objects.filter(
                opportunity_visibility_q(user, prefix="opportunity__")
            ),
            edit_url_of=lambda bid: bid.get_absolute_url(),
            describe=_describe,
            content_queryset=lambda: Bid.objects.select_related("opportunity", "created_by"),
        )
    )
