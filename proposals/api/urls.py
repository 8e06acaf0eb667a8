"""API routes of the proposals app, mounted under /api/v1/."""

from django.urls import include, path

urlpatterns: list = [
    path("", include("proposals.demos.api_urls")),
]
