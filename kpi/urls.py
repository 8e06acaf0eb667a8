"""Web routes of the kpi app, mounted at /kpi/ (filled by the issue that builds the app)."""

app_name = "kpi"
urlpatterns: list = []
