"""API routes of the opportunity lifecycle, mounted under /api/v1/."""

from rest_framework.routers import DefaultRouter

from presales.api.opportunities import OpportunityViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("opportunities", OpportunityViewSet, basename="opportunity")

urlpatterns = router.urls
