"""Web routes of the bids app, mounted at /bids/."""

from django.urls import path

from bids.contracts import views as contract_views
from bids.payments import views as payment_views
from bids.tenders import views as tender_views

app_name = "bids"
urlpatterns: list = [
    path("contracts/<int:pk>/signed-scan/", contract_views.ContractScanView.as_view(), name="contract-scan"),
    path(
        "opportunity/<int:opportunity_pk>/contract/<slug:action>/",
        contract_views.ContractActionView.as_view(),
        name="contract-action",
    ),
    path(
        "opportunity/<int:opportunity_pk>/<slug:action>/",
        tender_views.TenderActionView.as_view(),
        name="tender-action",
    ),
    path("documents/<int:pk>/toggle/", tender_views.DocumentToggleView.as_view(), name="document-toggle"),
]
urlpatterns += [
    path("receivables/", payment_views.ReceivablesView.as_view(), name="receivables"),
    path(
        "opportunity/<int:opportunity_pk>/payments/<slug:action>/",
        payment_views.PaymentActionView.as_view(),
        name="payment-action",
    ),
]
