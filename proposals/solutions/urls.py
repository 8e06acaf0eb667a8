"""Web routes of solutions, mounted at /proposals/solutions/ (namespace "proposals:solutions")."""

from django.urls import path

from proposals.solutions import views

app_name = "solutions"
urlpatterns = [
    path("new/<int:opportunity_pk>/", views.SolutionCreateView.as_view(), name="create"),
    path("<int:pk>/", views.SolutionDetailView.as_view(), name="solution"),
    path("versions/<int:pk>/", views.VersionDetailView.as_view(), name="version"),
    path("versions/<int:pk>/sections/", views.SectionSaveView.as_view(), name="section_add"),
    path("versions/<int:pk>/sections/preview/", views.SectionPreviewView.as_view(), name="section_preview"),
    path("versions/<int:pk>/sections/<int:section_pk>/", views.SectionSaveView.as_view(), name="section"),
    path(
        "versions/<int:pk>/sections/<int:section_pk>/done/",
        views.SectionDoneView.as_view(),
        name="section_done",
    ),
    path("versions/<int:pk>/lines/", views.QuoteLineView.as_view(), name="line_add"),
    path("versions/<int:pk>/lines/<int:line_pk>/", views.QuoteLineView.as_view(), name="line"),
    path("versions/<int:pk>/answers/", views.AnswerView.as_view(), name="answer_add"),
    path(
        "versions/<int:pk>/answers/<int:answer_pk>/delete/", views.AnswerView.as_view(), name="answer_delete"
    ),
    path("versions/<int:pk>/submit/", views.VersionActionView.as_view(action="submit"), name="submit"),
    path("versions/<int:pk>/withdraw/", views.VersionActionView.as_view(action="withdraw"), name="withdraw"),
    path("versions/<int:pk>/present/", views.VersionActionView.as_view(action="present"), name="present"),
    path("versions/<int:pk>/accept/", views.VersionActionView.as_view(action="accept"), name="accept"),
    path("versions/<int:pk>/feedback/", views.VersionActionView.as_view(action="feedback"), name="feedback"),
    path("versions/<int:pk>/diff/", views.VersionDiffView.as_view(), name="diff"),
    path(
        "acceptances/<int:pk>/evidence/", views.AcceptanceEvidenceView.as_view(), name="acceptance_evidence"
    ),
    path("versions/<int:pk>/customer-copy/", views.CustomerCopyView.as_view(), name="customer_copy"),
]
