"""Support-staff admin: chains with their steps, configured through reviews/services.py;
reviews read-only (decisions are made in the app, through the same services).

Review chains are configuration admins edit here, so this admin writes them only through
``review_chain_create`` / ``review_chain_update`` / ``review_chain_delete``, with the acting
admin as the actor: the services' rules (known kinds, distinct step orders, role xor person,
admins only) apply as in the API, and their refusals show as form errors, not 500s.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet

from presales.core.admin import NoRevertHistoryAdmin
from presales.core.errors import DomainError
from reviews.models import Review, ReviewChain, ReviewChainStep, ReviewTask
from reviews.registry import kind_choices
from reviews.services import (
    CHAIN_FIELDS,
    STEP_FIELDS,
    review_chain_create,
    review_chain_delete,
    review_chain_update,
)


class ReviewChainForm(forms.ModelForm):
    class Meta:
        model = ReviewChain
        fields = list(CHAIN_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer the kinds the engine knows rather than a free slug.
        self.fields["kind"] = forms.ChoiceField(
            label=self.fields["kind"].label, choices=kind_choices, help_text=self.fields["kind"].help_text
        )


def _messages(error: DomainError) -> list[str]:
    """A service refusal as lines for the form: the field's label with each message."""
    lines = []
    for name, messages in error.fields.items():
        prefix = "" if name in ("__all__", "steps") else f"{name}: "
        lines.extend(f"{prefix}{message}" for message in messages)
    return lines or [error.message]


class ReviewChainStepFormSet(BaseInlineFormSet):
    """The steps of the chain being saved. Its ``clean`` is the last validation the admin
    runs (after the chain's own form), so it is where the service writes chain and steps in
    one go (inside the admin's transaction, under a savepoint): a refusal becomes this
    formset's error and nothing is written; success leaves the result for ``save_model``."""

    def clean(self):
        super().clean()
        chain = self.instance
        actor = getattr(chain, "_admin_actor", None)
        if actor is None or any(form.errors for form in self.forms):
            return  # the chain's form or a step's form is invalid: those errors are shown
        data = {name: getattr(chain, name) for name in CHAIN_FIELDS}
        steps = [
            {name: form.cleaned_data.get(name) for name in STEP_FIELDS}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        for step in steps:
            step["approver_role"] = step["approver_role"] or ""
        try:
            with transaction.atomic():
                if chain.pk:
                    saved = review_chain_update(actor=actor, chain=chain, data=data, steps=steps)
                else:
                    saved = review_chain_create(actor=actor, data=data, steps=steps)
        except DomainError as error:
            raise ValidationError(_messages(error)) from error
        chain._admin_saved = saved


class ReviewChainStepInline(admin.TabularInline):
    model = ReviewChainStep
    formset = ReviewChainStepFormSet
    extra = 0
    fields = list(STEP_FIELDS)
    autocomplete_fields = ["approver_user"]


@admin.register(ReviewChain)
class ReviewChainAdmin(NoRevertHistoryAdmin):
    form = ReviewChainForm
    list_display = ["name", "kind", "is_active", "updated_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    inlines = [ReviewChainStepInline]

    def save_form(self, request, form, change):
        # Called only when the chain's form is valid, before the steps are validated: the
        # steps' formset then runs the service as this admin (see ReviewChainStepFormSet).
        chain = super().save_form(request, form, change)
        chain._admin_actor = request.user
        return chain

    def save_model(self, request, obj, form, change):
        saved = obj._admin_saved  # written by the service while the steps were validated
        obj.pk = saved.pk
        obj.created_at, obj.updated_at = saved.created_at, saved.updated_at

    def save_related(self, request, form, formsets, change):
        """Steps were written with the chain by the service."""

    def construct_change_message(self, request, form, formsets, add=False):
        if add:
            return [{"added": {}}]
        return [{"changed": {"fields": form.changed_data + ["steps"]}}] if form.changed_data else []

    def has_delete_permission(self, request, obj=None) -> bool:
        # A chain that ran keeps its reviews' plan: deactivate it instead (the service's rule).
        if obj is not None and obj.reviews.exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a bulk delete would skip the service
        return actions

    def delete_model(self, request, obj):
        review_chain_delete(actor=request.user, chain=obj)


class ReviewTaskInline(admin.TabularInline):
    model = ReviewTask
    extra = 0
    can_delete = False
    fields = [
        "step_order",
        "step_name",
        "mode",
        "approver",
        "state",
        "decided_at",
        "comment",
        "scores",
        "checks",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Review)
class ReviewAdmin(NoRevertHistoryAdmin):
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
