"""API routes of scorecards, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from kpi.scorecards import api

router = SimpleRouter()
router.register("scorecards", api.ScorecardViewSet, basename="scorecard")
router.register("scorecard-templates", api.ScorecardTemplateViewSet, basename="scorecard-template")

urlpatterns: list = [
    path("indicators/", api.IndicatorsView.as_view(), name="indicators"),
    *router.urls,
]
