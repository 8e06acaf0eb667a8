"""Web routes of the knowledge base, mounted at /knowledge/."""

from django.urls import path

from knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.SearchView.as_view(), name="search"),
    path("new/", views.ArticleCreateView.as_view(), name="create"),
    path("<int:pk>/", views.ArticleDetailView.as_view(), name="article"),
    path("<int:pk>/edit/", views.ArticleEditView.as_view(), name="edit"),
    path("<int:pk>/files/", views.AttachmentAddView.as_view(), name="attachment_add"),
    path("files/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment"),
    path("<int:pk>/items/", views.NeedsItemsView.as_view(), name="needs_items"),
    path("<int:pk>/<slug:move>/", views.ArticleMoveView.as_view(), name="move"),
]
