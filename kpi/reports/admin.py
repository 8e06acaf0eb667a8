"""Admin of the monthly team reports (R-KPI-3): a read-only look-up with history; reports are
generated, written and submitted through ``kpi.reports.services`` (a submitted one is frozen).
Registered from ``kpi.reports.registry.register()`` (idempotent, so that ``kpi/admin.py`` may
import this module too)."""

from django.contrib import admin

from kpi.models.reports import TeamReport
from presales.core.admin import ReadOnlyHistoryAdmin


class TeamReportAdmin(ReadOnlyHistoryAdmin):
    list_display = ["team", "month", "status", "author", "submitted_at"]
    list_filter = ["status"]
    list_select_related = ["team", "author"]


if not admin.site.is_registered(TeamReport):
    admin.site.register(TeamReport, TeamReportAdmin)
