"""API routes of the kpi app, mounted under /api/v1/."""

urlpatterns: list = []
