"""API routes of reports, mounted under /api/v1/."""

urlpatterns: list = []
