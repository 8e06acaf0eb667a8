"""API routes of the bids app, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from bids.biddocs.api import (
    BidAttachmentViewSet,
    BidPartViewSet,
    DefenceAnswerViewSet,
    DefenceQuestionViewSet,
)
from bids.contracts.api import (
    ClauseChangeViewSet,
    ContractLineViewSet,
    ContractViewSet,
    NegotiationMinuteViewSet,
)
from bids.handoff.api import AcceptanceViewSet, HandoffViewSet, RectificationViewSet
from bids.payments.api import PaymentInstalmentViewSet, PaymentReceiptViewSet, ReceivablesView
from bids.tenders.api import BidDecisionViewSet, BidViewSet, TenderViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
# Tenders and bids (R-BID), the bid document's parts and the defence (R-BID-1, R-BID-3).
router.register("bid-decisions", BidDecisionViewSet, basename="bid-decision")
router.register("tenders", TenderViewSet, basename="tender")
router.register("bids", BidViewSet, basename="bid")
router.register("bid-parts", BidPartViewSet, basename="bid-part")
router.register("bid-attachments", BidAttachmentViewSet, basename="bid-attachment")
router.register("defence-questions", DefenceQuestionViewSet, basename="defence-question")
router.register("defence-answers", DefenceAnswerViewSet, basename="defence-answer")
# Contracts, their minutes and the clause changes confirmed with the customer (R-CON).
router.register("contracts", ContractViewSet, basename="contract")
router.register("contract-lines", ContractLineViewSet, basename="contract-line")
router.register("negotiation-minutes", NegotiationMinuteViewSet, basename="negotiation-minute")
router.register("clause-changes", ClauseChangeViewSet, basename="clause-change")
# Payment collection (R-PAY-1).
router.register("payment-instalments", PaymentInstalmentViewSet, basename="payment-instalment")
router.register("payment-receipts", PaymentReceiptViewSet, basename="payment-receipt")
# Handoff and acceptance (R-HAND).
router.register("handoffs", HandoffViewSet, basename="handoff")
router.register("acceptances", AcceptanceViewSet, basename="acceptance")
router.register("rectifications", RectificationViewSet, basename="rectification")

# The risk register and the customer's credit assessment (R-RISK-1).
from bids.risks.api import CreditAssessmentViewSet, RiskViewSet  # noqa: E402

router.register("risks", RiskViewSet, basename="risk")
router.register("credit-assessments", CreditAssessmentViewSet, basename="credit-assessment")

urlpatterns: list = [*router.urls, path("receivables/", ReceivablesView.as_view(), name="receivables")]
