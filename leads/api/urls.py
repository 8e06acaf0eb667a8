"""API routes of the leads app, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from leads.api import views

router = SimpleRouter()
router.register("customers", views.CustomerViewSet, basename="customer")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("leads", views.LeadViewSet, basename="lead")
router.register("communications", views.CommunicationViewSet, basename="communication")
router.register("visit-plans", views.VisitPlanViewSet, basename="visit-plan")

urlpatterns = router.urls
