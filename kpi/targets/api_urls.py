"""API routes of targets, mounted under /api/v1/."""

urlpatterns: list = []
