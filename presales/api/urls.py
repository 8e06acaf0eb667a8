"""/api/v1/: every app contributes its router under this prefix."""

from django.urls import include, path

urlpatterns = [
    path("", include("presales.api.core_urls")),
    path("", include("presales.api.sla")),  # timers, notifications, sla-policies
    path("", include("presales.api.opportunity_urls")),
    path("", include("leads.api.urls")),
    path("", include("proposals.api.urls")),
    path("", include("bids.api.urls")),
    path("", include("reviews.api.urls")),
    path("", include("kpi.api.urls")),
]
