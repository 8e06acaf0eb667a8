"""Web routes of retrospectives, mounted at /kpi/retrospectives/ (namespace "kpi:retrospectives")."""

from django.urls import path

from kpi.retrospectives import views

app_name = "retrospectives"
urlpatterns: list = [
    path("", views.RetrospectiveListView.as_view(), name="list"),
    path("<int:pk>/edit/", views.RetrospectiveEditView.as_view(), name="edit"),
    path("<int:pk>/hold/", views.RetrospectiveHoldView.as_view(), name="hold"),
    path("<int:pk>/consent/", views.RetrospectiveConsentView.as_view(), name="consent"),
]
