"""API routes of analytics, mounted under /api/v1/."""

urlpatterns: list = []
