"""Web routes of the competitor records (R-COMP-1), mounted at /opportunities/competitors/
(namespace "opportunities:competitors")."""

from django.urls import path

from opportunities.competitors import views

app_name = "competitors"
urlpatterns = [
    path("", views.CompetitorListView.as_view(), name="list"),
    path("new/", views.CompetitorCreateView.as_view(), name="create"),
    path("autocomplete/", views.CompetitorAutocompleteView.as_view(), name="autocomplete"),
    path("<int:pk>/", views.CompetitorDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.CompetitorUpdateView.as_view(), name="update"),
    path("<int:pk>/<slug:action>/", views.CompetitorActionView.as_view(), name="action"),
    path(
        "opportunity/<int:opportunity_pk>/<slug:action>/",
        views.OpportunityCompetitorActionView.as_view(),
        name="desk-action",
    ),
]
