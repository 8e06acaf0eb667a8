"""API routes of retrospectives, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from kpi.retrospectives.api import RetrospectiveViewSet

router = SimpleRouter()
router.register("retrospectives", RetrospectiveViewSet, basename="retrospective")
urlpatterns: list = router.urls
