"""API routes of the bids app, mounted under /api/v1/."""

from rest_framework.routers import DefaultRouter

from bids.contracts.api import ContractLineViewSet, ContractViewSet
from bids.tenders.api import BidDecisionViewSet, BidViewSet, TenderViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("bid-decisions", BidDecisionViewSet, basename="bid-decision")
router.register("tenders", TenderViewSet, basename="tender")
router.register("bids", BidViewSet, basename="bid")
router.register("contracts", ContractViewSet, basename="contract")
router.register("contract-lines", ContractLineViewSet, basename="contract-line")

urlpatterns: list = [*router.urls]

# The bid document's parts and the defence (R-BID-1, R-BID-3).
from bids.biddocs.api import (  # noqa: E402
    BidAttachmentViewSet,
    BidPartViewSet,
    DefenceAnswerViewSet,
    DefenceQuestionViewSet,
)

router.register("bid-parts", BidPartViewSet, basename="bid-part")
router.register("bid-attachments", BidAttachmentViewSet, basename="bid-attachment")
router.register("defence-questions", DefenceQuestionViewSet, basename="defence-question")
router.register("defence-answers", DefenceAnswerViewSet, basename="defence-answer")
urlpatterns = [*router.urls]
