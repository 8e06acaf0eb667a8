"""/api/v1/: the core's and every app's routes under one prefix (apps named by string: the
core imports no domain app)."""

from django.urls import include, path

urlpatterns = [
    path("", include("presales.accounts.api")),  # me/
    path("", include("presales.exports.api")),  # exports/ (R-CUST-6)
    path("", include("presales.documents.api")),  # documents/ (issue 12)
    path("", include("presales.sla.api")),  # timers, notifications, sla-policies
    path("", include("opportunities.api.urls")),
    path("", include("leads.api.urls")),
    path("", include("knowledge.api_urls")),
    path("", include("collaboration.api_urls")),
    path("", include("proposals.api.urls")),
    path("", include("bids.api.urls")),
    path("", include("reviews.api.urls")),
    path("", include("kpi.api.urls")),
]
