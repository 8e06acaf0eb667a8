"""Web routes of the reviews app, mounted at /reviews/."""

from django.urls import path

from reviews import views

app_name = "reviews"
urlpatterns = [
    path("", views.InboxView.as_view(), name="inbox"),
    path("all/", views.ReviewListView.as_view(), name="list"),
    path("<int:pk>/", views.ReviewDetailView.as_view(), name="detail"),
    path("<int:pk>/decide/", views.ReviewDecideView.as_view(), name="decide"),
    path("<int:pk>/cancel/", views.ReviewCancelView.as_view(), name="cancel"),
]
