"""Support look-up of opportunities: read-only; every change goes through the services."""

from django.contrib import admin

from opportunities.models import InitiationStatusChange, Opportunity, ProjectInitiation, StageChange
from presales.core.admin import ReadOnlyHistoryAdmin


class _ReadOnlyLifecycleAdmin(ReadOnlyHistoryAdmin):
    """Support staff look-up only: stages, statuses and teams change through the lifecycle
    services (opportunities/services.py), never here (nor by reverting a history row)."""


@admin.register(Opportunity)
class OpportunityAdmin(_ReadOnlyLifecycleAdmin):
    list_display = [
        "title",
        "customer",
        "stage",
        "amount",
        "currency",
        "team",
        "sales_owner",
        "presales_owner",
    ]
    list_filter = ["stage", "team"]
    search_fields = ["title", "customer__name"]


@admin.register(ProjectInitiation)
class ProjectInitiationAdmin(_ReadOnlyLifecycleAdmin):
    list_display = ["opportunity", "status", "submitted_at", "approved_at"]
    list_filter = ["status"]


class _ReadOnlyChangeRowAdmin(admin.ModelAdmin):
    """Status-change rows are written by the lifecycle services only, never edited."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StageChange)
class StageChangeAdmin(_ReadOnlyChangeRowAdmin):
    list_display = ["at", "opportunity", "from_stage", "to_stage", "actor"]
    list_filter = ["to_stage"]


@admin.register(InitiationStatusChange)
class InitiationStatusChangeAdmin(_ReadOnlyChangeRowAdmin):
    list_display = ["at", "initiation", "from_status", "to_status", "move", "actor"]
    list_filter = ["to_status"]
    list_select_related = ["initiation__opportunity", "actor"]


from opportunities.competitors import admin as _competitors_admin  # noqa: E402, F401  (R-COMP-1)
