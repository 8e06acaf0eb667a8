"""Web routes of reports, mounted at /kpi/reports/ (namespace "kpi:reports")."""

from django.urls import path

from kpi.reports import views

app_name = "reports"
urlpatterns: list = [
    path("", views.ReportListView.as_view(), name="list"),
    path("<int:pk>/", views.ReportDetailView.as_view(), name="detail"),
    path("<int:pk>/<slug:action>/", views.ReportActionView.as_view(), name="action"),
]
