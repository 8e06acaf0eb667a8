"""Web routes of targets, mounted at /kpi/targets/ (namespace "kpi:targets")."""

app_name = "targets"
urlpatterns: list = []
