"""The bids app's models, one module per area."""

from bids.models.tenders import Bid, BidDecision, Tender, TenderDocument

__all__ = ["Bid", "BidDecision", "Tender", "TenderDocument"]
