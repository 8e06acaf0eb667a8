"""API routes of training, mounted under /api/v1/."""

urlpatterns: list = []
