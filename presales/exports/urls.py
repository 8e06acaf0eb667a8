"""Web routes of exports, mounted at /exports/ (namespace ``exports``)."""

from django.urls import path

from presales.exports import views

app_name = "exports"
urlpatterns = [
    path("", views.ExportJobListView.as_view(), name="list"),
    path("<int:pk>/", views.ExportJobDetailView.as_view(), name="detail"),
    path("<int:pk>/download/", views.ExportJobDownloadView.as_view(), name="download"),
]
