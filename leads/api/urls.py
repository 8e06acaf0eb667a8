"""API routes of the leads app, mounted under /api/v1/."""

urlpatterns: list = []
