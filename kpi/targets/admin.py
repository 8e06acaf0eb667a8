"""Admin of targets (registered through kpi/admin.py): a read-only look-up with history;
targets are set on the targets page or through the API, whose services check who may set
them and keep one per period, person or team and metric (R-KPI-4)."""

from django.contrib import admin

from kpi.models.targets import SalesTarget
from presales.core.admin import ReadOnlyHistoryAdmin


@admin.register(SalesTarget)
class SalesTargetAdmin(ReadOnlyHistoryAdmin):
    list_display = ["period_start", "period_kind", "person", "team", "metric", "target", "set_by"]
    list_filter = ["period_kind", "metric"]
    list_select_related = ["person", "team", "set_by"]
