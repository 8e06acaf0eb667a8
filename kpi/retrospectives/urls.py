"""Web routes of retrospectives, mounted at /kpi/retrospectives/ (namespace "kpi:retrospectives")."""

app_name = "retrospectives"
urlpatterns: list = []
