"""The bids app's models, one module per area: tenders and bids (R-BID), contracts (R-CON).
Each module's models are gathered here so that Django registers them under the app label
``bids``."""

from bids.models.contracts import Contract, ContractLine, ContractStatusChange
from bids.models.handoff import CustomerAcceptance, Handoff, Rectification, ServiceGuide
from bids.models.payments import (
    PaymentInstalment,
    PaymentPlan,
    PaymentPlanTemplate,
    PaymentReceipt,
    PaymentTemplateLine,
)
from bids.models.tenders import Bid, BidDecision, Tender, TenderDocument

__all__ = [
    "Bid",
    "BidDecision",
    "Contract",
    "ContractLine",
    "ContractStatusChange",
    "CustomerAcceptance",
    "Handoff",
    "PaymentInstalment",
    "PaymentPlan",
    "PaymentPlanTemplate",
    "PaymentReceipt",
    "PaymentTemplateLine",
    "Rectification",
    "ServiceGuide",
    "Tender",
    "TenderDocument",
]

# R-CON-5: standard clauses, negotiation minutes, clause changes confirmed with the customer.
from bids.models.contracts import ClauseChange, ClauseTemplate, NegotiationMinute

__all__ += ["ClauseChange", "ClauseTemplate", "NegotiationMinute"]
