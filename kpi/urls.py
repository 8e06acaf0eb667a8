"""Web routes of the kpi app, mounted at /kpi/ (one include per area)."""

from django.urls import include, path

app_name = "kpi"
urlpatterns: list = [
    path("surveys/", include("kpi.surveys.urls")),
    path("training/", include("kpi.training.urls")),
    path("retrospectives/", include("kpi.retrospectives.urls")),
    path("scorecards/", include("kpi.scorecards.urls")),
    path("targets/", include("kpi.targets.urls")),
    path("analytics/", include("kpi.analytics.urls")),
    path("reports/", include("kpi.reports.urls")),
]
