"""The bids app's models, one module per area: tenders and bids (R-BID), contracts (R-CON).
Each module's models are gathered here so that Django registers them under the app label
``bids``."""

from bids.models.contracts import Contract, ContractLine, ContractStatusChange
from bids.models.tenders import Bid, BidDecision, Tender, TenderDocument

__all__ = [
    "Bid",
    "BidDecision",
    "Contract",
    "ContractLine",
    "ContractStatusChange",
    "Tender",
    "TenderDocument",
]

# Bid document parts and defence (R-BID-1, R-BID-3).
from bids.models.biddocs import (
    BidAttachment,
    BidPart,
    BidPartVersion,
    DefenceAnswer,
    DefenceQuestion,
)

__all__ += ["BidAttachment", "BidPart", "BidPartVersion", "DefenceAnswer", "DefenceQuestion"]
