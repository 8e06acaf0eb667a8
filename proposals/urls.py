"""Web routes of the proposals app, mounted at /proposals/ (filled by the issue that builds the app)."""

from django.urls import include, path

app_name = "proposals"
urlpatterns: list = [
    path("", include("proposals.demos.urls")),
]
