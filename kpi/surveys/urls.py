"""Web routes of surveys, mounted at /kpi/surveys/ (namespace "kpi:surveys")."""

app_name = "surveys"
urlpatterns: list = []
