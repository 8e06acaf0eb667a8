"""Web routes of scorecards, mounted at /kpi/scorecards/ (namespace "kpi:scorecards")."""

app_name = "scorecards"
urlpatterns: list = []
