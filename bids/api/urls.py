"""API routes of the bids app, mounted under /api/v1/."""

urlpatterns: list = []
