"""Support look-up of the competitor records (R-COMP-1): read-only; changes go through
opportunities/competitors/services.py (the pages and the API)."""

from django.contrib import admin

from opportunities.models import Competitor, CompetitorIntel, OpportunityCompetitor
from presales.core.admin import ReadOnlyHistoryAdmin


@admin.register(Competitor)
class CompetitorAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "website", "created_at"]
    search_fields = ["name", "aliases"]


@admin.register(OpportunityCompetitor)
class OpportunityCompetitorAdmin(ReadOnlyHistoryAdmin):
    list_display = ["opportunity", "competitor", "price", "in_play"]
    list_select_related = ["opportunity", "competitor"]
    raw_id_fields = ["opportunity", "competitor"]


@admin.register(CompetitorIntel)
class CompetitorIntelAdmin(admin.ModelAdmin):
    list_display = ["competitor", "observed_on", "source", "recorded_by"]
    list_select_related = ["competitor", "recorded_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
