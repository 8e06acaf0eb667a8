"""API routes of the kpi app, mounted under /api/v1/ (one include per area)."""

from django.urls import include, path

urlpatterns: list = [
    path("", include("kpi.surveys.api_urls")),
    path("", include("kpi.training.api_urls")),
    path("", include("kpi.retrospectives.api_urls")),
    path("", include("kpi.scorecards.api_urls")),
    path("", include("kpi.targets.api_urls")),
    path("", include("kpi.analytics.api_urls")),
    path("", include("kpi.reports.api_urls")),
]
