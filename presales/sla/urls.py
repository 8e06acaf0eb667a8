"""Web routes of deadlines and notifications, mounted at the site root ("deadlines/", "notifications/")."""

from django.urls import path

from presales.sla import views

app_name = "sla"
urlpatterns = [
    path("deadlines/", views.DeadlinesView.as_view(), name="deadlines"),
    path("deadlines/team/", views.TeamDeadlinesView.as_view(), name="team_deadlines"),
    path("deadlines/policies/", views.SlaPolicyListView.as_view(), name="policies"),
    path("deadlines/policies/<str:kind>/", views.SlaPolicyEditView.as_view(), name="policy_edit"),
    path("deadlines/calendar/", views.WorkCalendarView.as_view(), name="calendar"),
    path(
        "deadlines/calendar/<str:day>/delete/", views.WorkCalendarDeleteView.as_view(), name="calendar_delete"
    ),
    path("deadlines/robots/", views.TeamWebhookListView.as_view(), name="webhooks"),
    path("deadlines/robots/<int:team_id>/", views.TeamWebhookEditView.as_view(), name="webhook_edit"),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path("notifications/bell/", views.NotificationBellView.as_view(), name="notification_bell"),
    path("notifications/read-all/", views.NotificationReadAllView.as_view(), name="notifications_read_all"),
    path(
        "notifications/settings/",
        views.NotificationPreferencesView.as_view(),
        name="notification_preferences",
    ),
    path("notifications/<int:pk>/read/", views.NotificationReadView.as_view(), name="notification_read"),
    path("notifications/<int:pk>/open/", views.NotificationOpenView.as_view(), name="notification_open"),
]
