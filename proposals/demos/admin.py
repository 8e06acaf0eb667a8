"""Support look-up of demos and trial requests: read-only. Every change (and so the R-SOL-5
gate, the checklist before the start, the approval of a trial) goes through
proposals/demos/services.py, never through the admin."""

from django.contrib import admin
from django.db import models

from presales.core.admin import ReadOnlyHistoryAdmin
from proposals.models import Demo, DemoStatusChange, TrialRequest, TrialStatusChange


@admin.register(Demo)
class DemoAdmin(ReadOnlyHistoryAdmin):
    list_display = ["title", "opportunity", "solution_version", "starts_at", "status", "feedback_at"]
    list_filter = ["status"]
    list_select_related = ["opportunity", "solution_version__solution"]
    search_fields = ["title"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(TrialRequest)
class TrialRequestAdmin(ReadOnlyHistoryAdmin):
    list_display = ["__str__", "opportunity", "kind", "period_start", "period_end", "return_date", "status"]
    list_filter = ["status", "kind"]
    list_select_related = ["opportunity"]


class _ReadOnlyChangeRowAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DemoStatusChange)
class DemoStatusChangeAdmin(_ReadOnlyChangeRowAdmin):
    list_display = ["at", "demo", "from_status", "to_status", "move", "actor"]
    list_select_related = ["demo", "actor"]


@admin.register(TrialStatusChange)
class TrialStatusChangeAdmin(_ReadOnlyChangeRowAdmin):
    list_display = ["at", "trial", "from_status", "to_status", "move", "actor"]
    list_select_related = ["trial", "actor"]
