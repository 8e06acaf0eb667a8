"""API routes of targets, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from kpi.targets.api import SalesTargetViewSet

router = SimpleRouter()
router.register("sales-targets", SalesTargetViewSet, basename="sales-target")

urlpatterns: list = router.urls
