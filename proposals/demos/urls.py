"""Web routes of demos and trials, included from proposals/urls.py (namespace "proposals")."""

from django.urls import path

from proposals.demos import views

urlpatterns = [
    path("opportunity/<int:opportunity_pk>/demos/new/", views.DemoCreateView.as_view(), name="demo-create"),
    path("demos/<int:pk>/", views.DemoDetailView.as_view(), name="demo-detail"),
    path("demos/<int:pk>/edit/", views.DemoUpdateView.as_view(), name="demo-update"),
    path("demos/<int:pk>/move/<slug:move>/", views.DemoMoveView.as_view(), name="demo-move"),
    path("demos/<int:pk>/checklist/add/", views.ChecklistAddView.as_view(), name="demo-checklist-add"),
    path(
        "demos/<int:pk>/checklist/<int:item_pk>/",
        views.ChecklistToggleView.as_view(),
        name="demo-checklist-toggle",
    ),
    path("demos/<int:pk>/feedback/", views.FeedbackView.as_view(), name="demo-feedback"),
    path("demos/<int:pk>/ics/<slug:attendee>/", views.DemoIcsView.as_view(), name="demo-ics"),
    path(
        "opportunity/<int:opportunity_pk>/trials/new/", views.TrialCreateView.as_view(), name="trial-create"
    ),
    path("trials/<int:pk>/", views.TrialDetailView.as_view(), name="trial-detail"),
    path("trials/<int:pk>/edit/", views.TrialUpdateView.as_view(), name="trial-update"),
    path("trials/<int:pk>/<slug:action>/", views.TrialActionView.as_view(), name="trial-action"),
]
