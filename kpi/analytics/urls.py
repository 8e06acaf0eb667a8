"""Web routes of analytics, mounted at /kpi/analytics/ (namespace "kpi:analytics")."""

from django.urls import path

from kpi.analytics import views

app_name = "analytics"
urlpatterns: list = [
    path("", views.AnalyticsPageView.as_view(), name="page"),
    path("overview/", views.OverviewView.as_view(), name="overview"),
    path("csv/<slug:chart>/", views.ChartCsvView.as_view(), name="csv"),
]
