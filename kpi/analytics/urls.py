"""Web routes of analytics, mounted at /kpi/analytics/ (namespace "kpi:analytics")."""

app_name = "analytics"
urlpatterns: list = []
