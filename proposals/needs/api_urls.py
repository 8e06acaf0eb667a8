"""API routes of the needs analysis (included from proposals/api/urls.py)."""

from rest_framework.routers import DefaultRouter

from proposals.needs import api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("requirements", api.RequirementViewSet, basename="requirement")
router.register("needs-analyses", api.NeedsAnalysisViewSet, basename="needs-analysis")
router.register("confirmation-requests", api.ConfirmationRequestViewSet, basename="confirmation-request")
router.register("rd-requests", api.RDRequestViewSet, basename="rd-request")
router.register("needs-reports", api.NeedsReportViewSet, basename="needs-report")
router.register("needs-communications", api.OpportunityCommunicationViewSet, basename="needs-communication")

urlpatterns = router.urls
