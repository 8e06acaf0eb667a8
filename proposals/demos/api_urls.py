"""API routes of demos and trial requests, included from proposals/api/urls.py."""

from rest_framework.routers import DefaultRouter

from proposals.demos.api import DemoViewSet, TrialViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("demos", DemoViewSet, basename="demo")
router.register("trial-requests", TrialViewSet, basename="trial-request")

urlpatterns = router.urls
