"""API routes of analytics, mounted under /api/v1/."""

from django.urls import path

from kpi.analytics.api import ChartView

urlpatterns: list = [path("analytics/<slug:chart>/", ChartView.as_view(), name="analytics-chart")]
