"""API routes of collaboration, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from collaboration.api import ActionItemViewSet, CollaborationRequestViewSet, MeetingMinuteViewSet

router = SimpleRouter()
router.register("collaboration-requests", CollaborationRequestViewSet, basename="collaboration-request")
router.register("meeting-minutes", MeetingMinuteViewSet, basename="meeting-minute")
router.register("action-items", ActionItemViewSet, basename="action-item")
urlpatterns = router.urls
