"""Web routes of the bids app, mounted at /bids/."""

from django.urls import path

from bids.tenders import views

app_name = "bids"
urlpatterns: list = [
    path(
        "opportunity/<int:opportunity_pk>/<slug:action>/",
        views.TenderActionView.as_view(),
        name="tender-action",
    ),
    path("documents/<int:pk>/toggle/", views.DocumentToggleView.as_view(), name="document-toggle"),
]
