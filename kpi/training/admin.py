"""Admin of training (registered through kpi/admin.py): read-only look-up with history; plans
and records change through kpi/training/services.py (R-KPI-1)."""

from django.contrib import admin

from kpi.models import TrainingPlan, TrainingRecord
from presales.core.admin import ReadOnlyHistoryAdmin


@admin.register(TrainingPlan)
class TrainingPlanAdmin(ReadOnlyHistoryAdmin):
    list_display = ["__str__", "person", "year", "planned_hours"]
    list_filter = ["year"]
    list_select_related = ["person"]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(ReadOnlyHistoryAdmin):
    list_display = ["__str__", "person", "direction", "hours", "result"]
    list_filter = ["direction", "result"]
    list_select_related = ["person"]
