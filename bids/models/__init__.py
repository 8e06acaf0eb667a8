"""The bids app's models, one module per area: tenders and bids (R-BID), bid document parts and
defence (R-BID-1, R-BID-3), contracts with their clauses and minutes (R-CON), payment
collection (R-PAY), handoff and acceptance (R-HAND). Each module's models are gathered here
so that Django registers them under the app label ``bids``."""

from bids.models.biddocs import BidAttachment, BidPart, BidPartVersion, DefenceQuestion
from bids.models.contracts import (
    ClauseChange,
    ClauseTemplate,
    Contract,
    ContractLine,
    ContractStatusChange,
    NegotiationMinute,
)
from bids.models.handoff import CustomerAcceptance, Handoff, Rectification, ServiceGuide
from bids.models.payments import (
    PaymentInstalment,
    PaymentPlan,
    PaymentPlanTemplate,
    PaymentReceipt,
    PaymentTemplateLine,
)
from bids.models.risks import CreditAssessment, Risk
from bids.models.tenders import Bid, BidDecision, Tender, TenderDocument

__all__ = [
    "Bid",
    "BidAttachment",
    "BidDecision",
    "BidPart",
    "BidPartVersion",
    "ClauseChange",
    "ClauseTemplate",
    "Contract",
    "ContractLine",
    "ContractStatusChange",
    "CreditAssessment",
    "CustomerAcceptance",
    "DefenceQuestion",
    "Handoff",
    "NegotiationMinute",
    "PaymentInstalment",
    "PaymentPlan",
    "PaymentPlanTemplate",
    "PaymentReceipt",
    "PaymentTemplateLine",
    "Rectification",
    "Risk",
    "ServiceGuide",
    "Tender",
    "TenderDocument",
]
