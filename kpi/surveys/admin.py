"""Admin of surveys (registered through kpi/admin.py): support staff edit the templates with
their questions inline (R-POST-1); sent surveys, answers and actions are read-only here (they
change through the services: answering, revoking, closing)."""

from django.contrib import admin

from kpi.models import ImprovementAction, Survey, SurveyQuestion, SurveyTemplate
from presales.core.admin import NoRevertHistoryAdmin, ReadOnlyHistoryAdmin


class SurveyQuestionInline(admin.TabularInline):
    model = SurveyQuestion
    extra = 0
    fields = ["order", "code", "kind", "measure", "required", "text_zh_hans", "text_zh_hant", "text_en"]


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(NoRevertHistoryAdmin):
    list_display = ["name", "purpose", "is_default", "is_active"]
    list_filter = ["purpose", "is_active"]
    inlines = [SurveyQuestionInline]


@admin.register(Survey)
class SurveyAdmin(ReadOnlyHistoryAdmin):
    list_display = ["id", "purpose", "opportunity", "status", "channel", "sent_at", "answered_at"]
    list_filter = ["purpose", "status", "channel"]
    list_select_related = ["opportunity"]
    exclude = ["nonce"]


@admin.register(ImprovementAction)
class ImprovementActionAdmin(ReadOnlyHistoryAdmin):
    list_display = ["id", "survey", "owner", "due_on", "status"]
    list_filter = ["status"]
