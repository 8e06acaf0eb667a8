"""API routes of the bids app, mounted under /api/v1/."""

from rest_framework.routers import DefaultRouter

from bids.contracts.api import ContractLineViewSet, ContractViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("contracts", ContractViewSet, basename="contract")
router.register("contract-lines", ContractLineViewSet, basename="contract-line")

urlpatterns: list = [*router.urls]
