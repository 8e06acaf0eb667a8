"""Web routes of training, mounted at /kpi/training/ (namespace "kpi:training")."""

app_name = "training"
urlpatterns: list = []
