"""Web routes of the bids app, mounted at /bids/."""

from django.urls import path

from bids.contracts import views as contract_views
from bids.handoff import views as handoff_views
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
    path("handoffs/<int:pk>/", handoff_views.HandoffDetailView.as_view(), name="handoff-detail"),
    path(
        "handoffs/<int:pk>/<slug:action>/", handoff_views.HandoffActionView.as_view(), name="handoff-action"
    ),
    path(
        "acceptances/<int:pk>/signed-scan/",
        handoff_views.AcceptanceScanView.as_view(),
        name="acceptance-scan",
    ),
]

# R-CON-1, R-CON-2, R-CON-5: the contract's terms, lines, minutes and clause confirmations on the desk.
urlpatterns += [
    path("contracts/<int:pk>/terms/", contract_views.ContractTermsView.as_view(), name="contract-terms"),
    path(
        "contracts/<int:pk>/lines/new/",
        contract_views.ContractLineAddView.as_view(),
        name="contract-line-add",
    ),
    path(
        "contract-lines/<int:pk>/edit/",
        contract_views.ContractLineEditView.as_view(),
        name="contract-line-edit",
    ),
    path(
        "contract-lines/<int:pk>/delete/",
        contract_views.ContractLineDeleteView.as_view(),
        name="contract-line-delete",
    ),
    path(
        "contracts/<int:pk>/minutes/new/",
        contract_views.NegotiationMinuteView.as_view(),
        name="contract-minute",
    ),
    path(
        "clause-changes/<int:pk>/confirm/",
        contract_views.ClauseChangeConfirmView.as_view(),
        name="clause-change-confirm",
    ),
]
urlpatterns += [
    path("receivables/", payment_views.ReceivablesView.as_view(), name="receivables"),
    path(
        "opportunity/<int:opportunity_pk>/payments/<slug:action>/",
        payment_views.PaymentActionView.as_view(),
        name="payment-action",
    ),
]

# The bid document's parts and the defence (R-BID-1, R-BID-3).
from bids.biddocs import views as biddocs_views  # noqa: E402

urlpatterns += [
    path("parts/<int:pk>/<slug:action>/", biddocs_views.PartActionView.as_view(), name="part-action"),
    path("attachments/<int:pk>/", biddocs_views.AttachmentDownloadView.as_view(), name="bid-attachment"),
    path(
        "attachments/<int:pk>/remove/",
        biddocs_views.AttachmentRemoveView.as_view(),
        name="bid-attachment-remove",
    ),
    path("bid/<int:pk>/defence/", biddocs_views.QuestionAddView.as_view(), name="defence-add"),
    path("defence/<int:pk>/library/", biddocs_views.AnswerPickerView.as_view(), name="defence-picker"),
    path(
        "defence/<int:pk>/<slug:action>/", biddocs_views.QuestionActionView.as_view(), name="defence-action"
    ),
    path("defence-library/", biddocs_views.LibraryView.as_view(), name="defence-library"),
]

# The risk register and the customer's credit assessment (R-RISK-1).
from bids.risks import views as risk_views  # noqa: E402

urlpatterns += [
    path("risks/", risk_views.RiskRegisterView.as_view(), name="risk-register"),
    path(
        "opportunity/<int:opportunity_pk>/risks/<slug:action>/",
        risk_views.RiskActionView.as_view(),
        name="risk-action",
    ),
]
