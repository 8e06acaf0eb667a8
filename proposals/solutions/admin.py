"""Admin of solutions: support staff look up versions (read-only, with history); an admin
maintains the solution templates (R-SOL-1). A version changes only through its services:
the one admin action, "mark as presented", calls ``version_mark_presented`` and so refuses an
unapproved version like every other route (R-SOL-5)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from presales.core.admin import ReadOnlyHistoryAdmin
from presales.core.errors import DomainError
from proposals.models import (
    Acceptance,
    QuoteLine,
    SolutionSection,
    SolutionTemplate,
    SolutionTemplateSection,
    SolutionVersion,
)
from proposals.solutions.services import version_mark_presented


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SectionInline(_ReadOnlyInline):
    model = SolutionSection
    fields = ("kind", "writer", "due_date", "done_at")
    readonly_fields = fields


class LineInline(_ReadOnlyInline):
    model = QuoteLine
    fields = ("kind", "item", "quantity", "unit", "unit_cost", "unit_price", "tax_rate", "tax_inclusive")
    readonly_fields = fields


@admin.register(SolutionVersion)
class SolutionVersionAdmin(ReadOnlyHistoryAdmin):
    list_display = ("__str__", "status", "author", "submitted_at", "presented_at")
    list_filter = ("status",)
    list_select_related = ("solution", "author")
    search_fields = ("solution__title",)
    show_full_result_count = False
    inlines = (SectionInline, LineInline)
    actions = ("mark_presented",)

    @admin.action(description=_("Mark as presented (approved versions only)"))
    def mark_presented(self, request, queryset):
        for version in queryset:
            try:
                version_mark_presented(actor=request.user, version=version)
            except DomainError as exc:
                messages.error(request, f"{version}: {' '.join([exc.message, *exc.reasons])}")
            else:
                messages.success(request, _("%(version)s is marked as presented.") % {"version": version})


@admin.register(Acceptance)
class AcceptanceAdmin(admin.ModelAdmin):
    """Recorded through the service (R-SOL-6); looked up here."""

    list_display = ("solution_version", "who", "method", "accepted_at", "superseded_at")
    list_select_related = ("solution_version__solution", "contact")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TemplateSectionInline(admin.StackedInline):
    model = SolutionTemplateSection
    extra = 0


@admin.register(SolutionTemplate)
class SolutionTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active")
    inlines = (TemplateSectionInline,)
