"""Web routes of the needs analysis, included from proposals/urls.py (namespace "proposals")."""

from django.urls import path

from proposals.needs import public, views

urlpatterns = [
    path("confirm/<str:token>/", public.ConfirmationPublicView.as_view(), name="needs_confirm_public"),
    path("opportunities/<int:pk>/needs/", views.NeedsPageView.as_view(), name="needs"),
    path(
        "opportunities/<int:pk>/needs/requirements/<int:item>/edit/",
        views.RequirementEditRowView.as_view(),
        name="needs_edit_row",
    ),
    path(
        "opportunities/<int:pk>/needs/rd/<int:item>/answer/",
        views.RDAnswerView.as_view(),
        name="needs_rd_answer",
    ),
    path(
        "opportunities/<int:pk>/needs/evidence/<int:item>/",
        views.EvidenceView.as_view(),
        name="needs_evidence",
    ),
    path(
        "opportunities/<int:pk>/needs/export/<slug:fmt>/",
        views.NeedsExportView.as_view(),
        name="needs_export",
    ),
    path(
        "opportunities/<int:pk>/needs/reports/<int:number>/",
        views.NeedsReportView.as_view(),
        name="needs_report",
    ),
    path("opportunities/<int:pk>/needs/<slug:action>/", views.NeedsActionView.as_view(), name="needs_action"),
    path(
        "opportunities/<int:pk>/needs/<slug:action>/<int:item>/",
        views.NeedsActionView.as_view(),
        name="needs_item_action",
    ),
]
