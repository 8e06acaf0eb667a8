"""Web routes of the proposals app, mounted at /proposals/ (one include per area)."""

from django.urls import include, path

app_name = "proposals"
urlpatterns: list = [
    path("solutions/", include("proposals.solutions.urls")),
    path("", include("proposals.needs.urls")),
    path("", include("proposals.demos.urls")),
]
