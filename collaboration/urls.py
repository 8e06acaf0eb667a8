"""Web routes of collaboration, mounted at /collaboration/."""

from django.urls import path

from collaboration import views

app_name = "collaboration"
urlpatterns = [
    path("", views.RequestListView.as_view(), name="requests"),
    path("new/", views.RequestCreateView.as_view(), name="request_create"),
    path("<int:pk>/", views.RequestDetailView.as_view(), name="request"),
    path("<int:pk>/files/", views.RequestAttachView.as_view(), name="request_attach"),
    path("files/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment"),
    path("<int:pk>/<slug:move>/", views.RequestMoveView.as_view(), name="request_move"),
    path("minutes/", views.MinuteListView.as_view(), name="minutes"),
    path("minutes/new/", views.MinuteCreateView.as_view(), name="minute_create"),
    path("minutes/mine/", views.MyActionItemsView.as_view(), name="my_action_items"),
    path("minutes/<int:pk>/", views.MinuteDetailView.as_view(), name="minute"),
    path("minutes/<int:pk>/edit/", views.MinuteEditView.as_view(), name="minute_edit"),
    path("minutes/<int:pk>/items/", views.ActionItemAddView.as_view(), name="action_item_add"),
    path("items/<int:pk>/<slug:move>/", views.ActionItemMoveView.as_view(), name="action_item_move"),
]
