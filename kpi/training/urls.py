"""Web routes of training, mounted at /kpi/training/ (namespace "kpi:training")."""

from django.urls import path

from kpi.training import views

app_name = "training"
urlpatterns: list = [
    path("", views.MyTrainingView.as_view(), name="mine"),
    path("team/", views.TeamTrainingView.as_view(), name="team"),
    path("records/", views.TrainingRecordListView.as_view(), name="records"),
    path("plans/new/", views.TrainingPlanCreateView.as_view(), name="plan_create"),
    path("plans/<int:pk>/edit/", views.TrainingPlanEditView.as_view(), name="plan_edit"),
    path("records/new/", views.TrainingRecordCreateView.as_view(), name="record_create"),
    path("records/<int:pk>/edit/", views.TrainingRecordEditView.as_view(), name="record_edit"),
]
