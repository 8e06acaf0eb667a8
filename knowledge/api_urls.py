"""API routes of the knowledge base, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from knowledge.api import ArticleViewSet

router = SimpleRouter()
router.register("knowledge-articles", ArticleViewSet, basename="knowledge-article")
urlpatterns = router.urls
