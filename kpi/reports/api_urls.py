"""API routes of reports, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from kpi.reports.api import TeamReportViewSet

router = SimpleRouter()
router.register("team-reports", TeamReportViewSet, basename="team-report")

urlpatterns: list = router.urls
