"""Support-staff admin: chains with their steps; reviews read-only (decisions are made in
the app, through reviews/services.py)."""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reviews.models import Review, ReviewChain, ReviewChainStep, ReviewTask
from reviews.registry import kind_choices


class ReviewChainForm(forms.ModelForm):
    class Meta:
        model = ReviewChain
        fields = ["kind", "name", "description", "is_active", "score_criteria"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer the kinds the engine knows rather than a free slug.
        self.fields["kind"] = forms.ChoiceField(
            label=self.fields["kind"].label, choices=kind_choices, help_text=self.fields["kind"].help_text
        )


class ReviewChainStepInline(admin.TabularInline):
    model = ReviewChainStep
    extra = 0
    fields = [
        "order",
        "name",
        "approver_role",
        "approver_user",
        "approver_scope",
        "mode",
        "condition_min_amount",
    ]
    autocomplete_fields = ["approver_user"]


@admin.register(ReviewChain)
class ReviewChainAdmin(SimpleHistoryAdmin):
    form = ReviewChainForm
    list_display = ["name", "kind", "is_active", "updated_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    inlines = [ReviewChainStepInline]


class ReviewTaskInline(admin.TabularInline):
    model = ReviewTask
    extra = 0
    can_delete = False
    fields = ["step_order", "step_name", "mode", "approver", "state", "decided_at", "comment", "scores"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Review)
class ReviewAdmin(SimpleHistoryAdmin):
    """Read-only: a review changes only through decisions and withdrawals in the app."""

    list_display = ["subject_summary", "kind", "status", "current_step_order", "author", "team", "started_at"]
    list_filter = ["status", "kind", "team"]
    search_fields = ["subject_summary"]
    date_hierarchy = "started_at"
    inlines = [ReviewTaskInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.concrete_fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
