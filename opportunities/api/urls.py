"""API routes of the opportunity lifecycle, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from opportunities.api.views import LeadQualifyViewSet, OpportunityViewSet
from opportunities.competitors.api import CompetitorViewSet, OpportunityCompetitorViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("opportunities", OpportunityViewSet, basename="opportunity")
# Competitor records and the competitors in play (R-COMP-1).
router.register("competitors", CompetitorViewSet, basename="competitor")
router.register("opportunity-competitors", OpportunityCompetitorViewSet, basename="opportunity-competitor")

urlpatterns = [
    # The lead API's qualify action lives here: qualifying opens an opportunity (R-OPP-1),
    # and leads never import opportunities.
    path(
        "leads/<int:pk>/qualify/",
        LeadQualifyViewSet.as_view({"post": "qualify"}),
        name="lead-qualify",
    ),
    *router.urls,
]
