"""Web routes of the bids app, mounted at /bids/."""

from django.urls import path

from bids.contracts import views as contract_views
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
    path(
        "defence/<int:pk>/<slug:action>/", biddocs_views.QuestionActionView.as_view(), name="defence-action"
    ),
    path("defence-library/", biddocs_views.LibraryView.as_view(), name="defence-library"),
]
