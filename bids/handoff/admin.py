"""Support look-up of handoffs, acceptances and rectifications: read-only (every change goes
through bids/handoff/services.py). The after-sales service guide is the administrators' to
maintain here (R-HAND-2): a new version per change, the old ones kept as sent."""

from django.contrib import admin

from bids.models import CustomerAcceptance, Handoff, Rectification, ServiceGuide
from presales.core.admin import NoRevertHistoryAdmin, ReadOnlyHistoryAdmin


@admin.register(Handoff)
class HandoffAdmin(ReadOnlyHistoryAdmin):
    list_display = ["__str__", "opportunity", "status", "receiving_team", "after_sales_owner", "created_at"]
    list_filter = ["status"]
    list_select_related = ["opportunity", "receiving_team", "after_sales_owner"]


@admin.register(CustomerAcceptance)
class CustomerAcceptanceAdmin(ReadOnlyHistoryAdmin):
    list_display = ["__str__", "handoff", "kind", "result", "received_on", "accepted_on"]
    list_filter = ["kind", "result"]
    list_select_related = ["handoff"]


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyHistoryAdmin):
    list_display = ["__str__", "status", "owner", "due_at", "closed_at"]
    list_filter = ["status"]
    list_select_related = ["acceptance", "owner"]


@admin.register(ServiceGuide)
class ServiceGuideAdmin(NoRevertHistoryAdmin):
    list_display = ["title", "language", "version", "updated_at"]
    list_filter = ["language"]
