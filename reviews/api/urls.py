"""API routes of the reviews app, mounted under /api/v1/."""

urlpatterns: list = []
