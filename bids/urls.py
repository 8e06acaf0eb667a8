"""Web routes of the bids app, mounted at /bids/."""

from django.urls import path

from bids.contracts import views

app_name = "bids"
urlpatterns: list = [
    path("contracts/<int:pk>/signed-scan/", views.ContractScanView.as_view(), name="contract-scan"),
    path(
        "opportunity/<int:opportunity_pk>/contract/<slug:action>/",
        views.ContractActionView.as_view(),
        name="contract-action",
    ),
]
