"""Web routes of targets, mounted at /kpi/targets/ (namespace "kpi:targets")."""

from django.urls import path

from kpi.targets import views

app_name = "targets"
urlpatterns: list = [
    path("", views.TargetBoardView.as_view(), name="board"),
    path("mine/", views.MyTargetsView.as_view(), name="mine"),
]
