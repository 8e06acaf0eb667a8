"""The opportunity's stage gates the bids own, added to the lifecycle table
(opportunities/transitions.py) from ``BidsConfig.ready`` with card facts (the board shows
why a move is blocked without a query per card).

- into bid (``start_bid``, R-BID-5): the presales manager decided "bid";
- into contract from the bid (``start_contract``, R-BID-4): the bid was won. A deal without
  a tender skips the bid (``skip_bid``) as before.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from bids.models import Bid, BidDecision
from bids.tenders.choices import BidStatus, Decision
from opportunities.models import card_fact, register_card_fact
from opportunities.transitions import add_guard

DECIDED_BID = "bid_decided_bid"
BID_WON = "bid_won"


def _decided_fact():
    return Exists(BidDecision.objects.filter(opportunity=OuterRef("pk"), decision=Decision.BID))


def _won_fact():
    return Exists(Bid.objects.filter(opportunity=OuterRef("pk"), status=BidStatus.WON))


def bid_decided(opportunity, actor, **context) -> list[str]:
    """R-BID-5: into the bid stage only after the presales manager decided to bid."""
    has = card_fact(
        opportunity,
        DECIDED_BID,
        lambda: BidDecision.objects.filter(opportunity=opportunity, decision=Decision.BID).exists(),
    )
    if not has:
        return [_("The presales manager must decide to bid first (R-BID-5).")]
    return []


def bid_won(opportunity, actor, **context) -> list[str]:
    """R-BID-4: a tender deal reaches the contract only with a won bid."""
    if not opportunity.has_tender:
        return []
    has = card_fact(
        opportunity,
        BID_WON,
        lambda: Bid.objects.filter(opportunity=opportunity, status=BidStatus.WON).exists(),
    )
    if not has:
        return [_("The bid must be won before the contract (R-BID-4).")]
    return []


def register() -> None:
    register_card_fact(DECIDED_BID, _decided_fact)
    register_card_fact(BID_WON, _won_fact)
    add_guard("start_bid", bid_decided)
    add_guard("start_contract", bid_won)
