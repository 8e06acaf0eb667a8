"""API routes of solutions, mounted under /api/v1/ (included from proposals/api/urls.py)."""

from rest_framework.routers import DefaultRouter

from proposals.solutions.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("solutions", views.SolutionViewSet, basename="solution")
router.register("solution-versions", views.VersionViewSet, basename="solution-version")
router.register("solution-sections", views.SectionViewSet, basename="solution-section")
router.register("quote-lines", views.QuoteLineViewSet, basename="quote-line")
router.register("solution-answers", views.AnswerViewSet, basename="solution-answer")

urlpatterns = router.urls
