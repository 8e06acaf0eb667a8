"""Support look-up of the needs analysis: read-only; every change goes through the needs
services (numbers, confirmations, change requests, the R-NEED-4 gate's facts)."""

from django.contrib import admin

from presales.core.admin import ReadOnlyHistoryAdmin
from proposals.models import (
    ChangeRequest,
    ConfirmationRequest,
    NeedsAnalysis,
    NeedsReport,
    OpportunityCommunication,
    RDRequest,
    Requirement,
    RequirementConfirmation,
)


@admin.register(Requirement)
class RequirementAdmin(ReadOnlyHistoryAdmin):
    list_display = [
        "code",
        "opportunity",
        "kind",
        "category",
        "feasibility",
        "confirmation_status",
        "changed_at",
    ]
    list_filter = ["kind", "confirmation_status", "feasibility"]
    list_select_related = ["opportunity"]
    raw_id_fields = ["opportunity"]


@admin.register(NeedsAnalysis)
class NeedsAnalysisAdmin(ReadOnlyHistoryAdmin):
    list_display = ["opportunity", "last_number", "updated_at"]
    list_select_related = ["opportunity"]


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the services only (evidence, answers, snapshots): never edited here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RequirementConfirmation)
class RequirementConfirmationAdmin(_ReadOnlyAdmin):
    list_display = ["at", "requirement", "status", "method", "confirmer_name", "recorded_by"]
    list_filter = ["status", "method"]
    list_select_related = ["requirement", "recorded_by"]


@admin.register(ChangeRequest)
class ChangeRequestAdmin(_ReadOnlyAdmin):
    list_display = ["created_at", "opportunity", "requirement", "kind", "created_by"]
    list_filter = ["kind"]
    list_select_related = ["opportunity", "requirement", "created_by"]


@admin.register(ConfirmationRequest)
class ConfirmationRequestAdmin(_ReadOnlyAdmin):
    list_display = [
        "created_at",
        "opportunity",
        "contact",
        "expires_at",
        "revoked_at",
        "completed_at",
        "sent_by",
    ]
    list_select_related = ["opportunity", "contact", "sent_by"]
    exclude = ["token_hash"]


@admin.register(RDRequest)
class RDRequestAdmin(_ReadOnlyAdmin):
    list_display = ["created_at", "requirement", "assignee", "status", "answered_at"]
    list_filter = ["status"]
    list_select_related = ["requirement", "assignee"]


@admin.register(NeedsReport)
class NeedsReportAdmin(_ReadOnlyAdmin):
    list_display = ["opportunity", "number", "created_by", "created_at"]
    list_select_related = ["opportunity", "created_by"]


@admin.register(OpportunityCommunication)
class OpportunityCommunicationAdmin(_ReadOnlyAdmin):
    list_display = ["opportunity", "communication", "purpose", "created_by", "created_at"]
    list_select_related = ["opportunity", "communication", "created_by"]
