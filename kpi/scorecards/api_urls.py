"""API routes of scorecards, mounted under /api/v1/."""

urlpatterns: list = []
