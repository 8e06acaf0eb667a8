"""API routes of the reviews app, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from reviews.api.views import ReviewChainViewSet, ReviewViewSet

router = SimpleRouter()
router.register("reviews", ReviewViewSet, basename="review")
router.register("review-chains", ReviewChainViewSet, basename="review-chain")

urlpatterns = router.urls
