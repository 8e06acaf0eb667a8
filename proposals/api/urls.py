"""API routes of the proposals app, mounted under /api/v1/ (one include per area)."""

from django.urls import include, path

urlpatterns: list = [
    path("", include("proposals.solutions.api.urls")),
    path("", include("proposals.needs.api_urls")),
    path("", include("proposals.demos.api_urls")),
]
