"""Web routes of surveys, mounted at /kpi/surveys/ (namespace "kpi:surveys")."""

from django.urls import path

from kpi.surveys import public, views

app_name = "surveys"
urlpatterns: list = [
    path("", views.SurveyListView.as_view(), name="list"),
    path("<int:pk>/", views.SurveyDetailView.as_view(), name="detail"),
    path("<int:pk>/phone/", views.SurveyPhoneView.as_view(), name="phone"),
    path("<int:pk>/respond/", views.SurveyRespondView.as_view(), name="respond"),
    path("<int:pk>/<slug:action>/", views.SurveyActionView.as_view(), name="action"),
    path("actions/<int:pk>/close/", views.ActionCloseView.as_view(), name="action_close"),
    path("answer/<str:token>/", public.SurveyPublicView.as_view(), name="answer"),
]
