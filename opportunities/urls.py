"""Web routes of the opportunity lifecycle, mounted at /opportunities/ (namespace "opportunities")."""

from django.urls import include, path

from opportunities import autocomplete, views

app_name = "opportunities"
urlpatterns = [
    path("", views.BoardView.as_view(), name="board"),
    path("autocomplete/", autocomplete.OpportunityAutocompleteView.as_view(), name="autocomplete"),
    path("board/column/<slug:stage>/", views.BoardColumnView.as_view(), name="board_column"),
    path("list/", views.OpportunityListView.as_view(), name="list"),
    path("competitors/", include("opportunities.competitors.urls")),
    path("new/", views.OpportunityCreateView.as_view(), name="create"),
    path("from-lead/<int:pk>/", views.LeadQualifyView.as_view(), name="qualify_lead"),
    path("<int:pk>/", views.OpportunityDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.OpportunityUpdateView.as_view(), name="update"),
    path("<int:pk>/history/", views.OpportunityHistoryView.as_view(), name="history"),
    path("<int:pk>/move/<slug:move>/", views.OpportunityMoveView.as_view(), name="move"),
    path("<int:pk>/initiation/", views.InitiationView.as_view(), name="initiation"),
    path(
        "<int:pk>/initiation/submit/",
        views.InitiationActionView.as_view(action="submit"),
        name="initiation_submit",
    ),
    path(
        "<int:pk>/initiation/withdraw/",
        views.InitiationActionView.as_view(action="withdraw"),
        name="initiation_withdraw",
    ),
]
