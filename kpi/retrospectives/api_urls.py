"""API routes of retrospectives, mounted under /api/v1/."""

urlpatterns: list = []
