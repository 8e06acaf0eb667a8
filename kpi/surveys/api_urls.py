"""API routes of surveys, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from kpi.surveys.api import ImprovementActionViewSet, SurveyTemplateViewSet, SurveyViewSet

router = SimpleRouter()
router.register("surveys", SurveyViewSet, basename="survey")
router.register("survey-templates", SurveyTemplateViewSet, basename="survey-template")
router.register("improvement-actions", ImprovementActionViewSet, basename="improvement-action")

urlpatterns: list = router.urls
