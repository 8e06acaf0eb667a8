"""Web routes of reports, mounted at /kpi/reports/ (namespace "kpi:reports")."""

app_name = "reports"
urlpatterns: list = []
