"""Web routes of scorecards, mounted at /kpi/scorecards/ (namespace "kpi:scorecards")."""

from django.urls import path

from kpi.scorecards import views

app_name = "scorecards"
urlpatterns: list = [
    path("", views.MyScorecardsView.as_view(), name="mine"),
    path("team/", views.TeamScorecardsView.as_view(), name="team"),
    path("create/", views.ScorecardCreateView.as_view(), name="create"),
    path("<int:pk>/", views.ScorecardDetailView.as_view(), name="detail"),
    path("<int:pk>/excel/", views.ScorecardExcelView.as_view(), name="excel"),
    path("<int:pk>/<slug:action>/", views.ScorecardActionView.as_view(), name="action"),
]
