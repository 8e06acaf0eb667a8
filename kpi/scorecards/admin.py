"""Admin of scorecards (registered through kpi/admin.py): a read-only look-up. Templates are
configured through /api/v1/scorecard-templates/ (the service checks that weights total 100);
scorecards change only through kpi/scorecards/services.py, and a signed one never."""

from django.contrib import admin

from kpi.models.scorecards import Scorecard, ScorecardComment, ScorecardTemplate, ScorecardTemplateItem
from presales.core.admin import ReadOnlyHistoryAdmin


class ItemInline(admin.TabularInline):
    model = ScorecardTemplateItem
    extra = 0
    can_delete = False
    fields = ("order", "section", "code", "label", "indicator_key", "weight", "target", "scale")
    readonly_fields = ("order", "section", "code", "label", "indicator_key", "weight", "target", "scale")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ScorecardTemplate)
class ScorecardTemplateAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "audience", "period_kind", "is_active"]
    list_filter = ["audience", "period_kind", "is_active"]
    inlines = [ItemInline]


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyHistoryAdmin):
    list_display = ["person_name", "period", "template", "status", "total_score"]
    list_filter = ["status", "period_kind"]
    list_select_related = ["template"]


@admin.register(ScorecardComment)
class ScorecardCommentAdmin(ReadOnlyHistoryAdmin):
    list_display = ["scorecard", "author", "created_at"]
    list_select_related = ["scorecard", "author"]
