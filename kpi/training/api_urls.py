"""API routes of training, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from kpi.training.api import TrainingPlanViewSet, TrainingRecordViewSet

router = SimpleRouter()
router.register("training-plans", TrainingPlanViewSet, basename="training-plan")
router.register("training-records", TrainingRecordViewSet, basename="training-record")
urlpatterns: list = router.urls
