from django.urls import path

from presales.api import exports, views

urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    *exports.urlpatterns,  # exports/ (R-CUST-6)
]
