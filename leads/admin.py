"""Support look-up of customers, contacts, leads and communications, with their history.

Read-only (R-CUST-5, R-CUST-6, R-LEAD-2, R-LEAD-3, R-COMM-1): every change of these records
has rules the services apply (grade from fit × value, one primary presales engineer, the
writer's team, duplicate detection, first-contact and follow-up timers, the author's own
account of an interaction) and a support screen that saved rows directly would skip them
all. Support staff read here and act in the app, as the record's people would.
"""

from django.contrib import admin

from leads.models import (
    CadencePolicy,
    CommunicationRecord,
    Contact,
    ContactErasure,
    Customer,
    Lead,
    LeadStatusChange,
    MergeRecord,
    NeedTag,
    VisitPlan,
)
from presales.core.admin import ReadOnlyHistoryAdmin


@admin.register(Customer)
class CustomerAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "industry", "grade", "tier", "team", "owner", "merged_into"]
    list_filter = ["grade", "tier", "industry", "team"]
    search_fields = ["name"]


@admin.register(Lead)
class LeadAdmin(ReadOnlyHistoryAdmin):
    list_display = ["company_name", "contact_name", "status", "source", "received_at", "team"]
    list_filter = ["status", "source", "team"]
    search_fields = ["company_name", "contact_name"]


@admin.register(Contact)
class ContactAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "title", "customer", "decision_role", "language"]
    list_filter = ["language"]
    search_fields = ["name", "customer__name"]


@admin.register(CommunicationRecord)
class CommunicationRecordAdmin(ReadOnlyHistoryAdmin):
    list_display = ["occurred_at", "channel", "customer", "lead", "author", "next_step_due_at"]
    list_filter = ["channel"]
    date_hierarchy = "occurred_at"


@admin.register(MergeRecord)
class MergeRecordAdmin(admin.ModelAdmin):
    """The record of a merge is evidence of what moved: read-only."""

    list_display = ["created_at", "kind", "source_label", "target_id", "actor"]
    list_filter = ["kind"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LeadStatusChange)
class LeadStatusChangeAdmin(admin.ModelAdmin):
    """Support look-up only: status changes are written by leads.services, never edited."""

    list_display = ["at", "lead", "from_status", "to_status", "move", "actor"]
    list_filter = ["to_status"]
    list_select_related = ["lead", "actor"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(NeedTag)
class NeedTagAdmin(admin.ModelAdmin):
    """The need-tag vocabulary (R-CUST-1): support may add a tag or fix its spelling (a rename
    shows on every customer carrying it; names stay unique), but not delete one, which would
    silently strip it from customers without a trace in their history."""

    list_display = ["name"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CadencePolicy)
class CadencePolicyAdmin(admin.ModelAdmin):
    """R-CUST-7: the contact cadences per grade, tier and for decision makers; a missing row
    is the default (A 30, B 60, C 180 days; strategic at most 30; decision makers 90). The
    timers follow at the next interaction or the monthly re-alignment."""

    list_display = ["scope", "value", "days"]
    list_filter = ["scope"]


@admin.register(VisitPlan)
class VisitPlanAdmin(admin.ModelAdmin):
    """Support look-up: visits are planned, held and cancelled in the app (R-CUST-7)."""

    list_display = ["planned_at", "customer", "planner", "status"]
    list_filter = ["status"]
    list_select_related = ["customer", "planner"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ContactErasure)
class ContactErasureAdmin(admin.ModelAdmin):
    """R-CUST-8: the tombstones of erased contacts: evidence, never edited or deleted."""

    list_display = ["erased_at", "contact_id_erased", "customer", "erased_by", "request_reference"]
    list_select_related = ["customer", "erased_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
