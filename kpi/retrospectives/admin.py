"""Admin of retrospectives (registered through kpi/admin.py): read-only look-up with history;
every change goes through kpi/retrospectives/services.py (R-POST-2)."""

from django.contrib import admin

from kpi.models import Retrospective
from presales.core.admin import ReadOnlyHistoryAdmin


@admin.register(Retrospective)
class RetrospectiveAdmin(ReadOnlyHistoryAdmin):
    list_display = ["__str__", "outcome", "status", "closed_at", "due_on", "held_on", "success_case_proposed"]
    list_filter = ["outcome", "status", "success_case_proposed", "customer_consent"]
    list_select_related = ["opportunity"]
