"""Web routes of generated documents, mounted at /documents/ (namespace ``documents``)."""

from django.urls import path

from presales.documents import views

app_name = "documents"
urlpatterns = [
    path("request/", views.DocumentRequestView.as_view(), name="request"),
    path("<int:pk>/", views.DocumentDetailView.as_view(), name="detail"),
    path("<int:pk>/download/", views.DocumentDownloadView.as_view(), name="download"),
    path("<int:pk>/sent/", views.DocumentSentView.as_view(), name="sent"),
]
