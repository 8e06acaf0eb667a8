from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from leads.models import CommunicationRecord, Contact, Customer, Lead, LeadStatusChange, MergeRecord, NeedTag


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    """Support staff view. Status, merges and grades change through the app's services."""

    list_display = ["name", "industry", "grade", "tier", "team", "owner"]
    list_filter = ["grade", "tier", "industry", "team"]
    search_fields = ["name"]
    readonly_fields = ["grade", "graded_at", "merged_into", "last_progress_at"]


@admin.register(Lead)
class LeadAdmin(SimpleHistoryAdmin):
    list_display = ["company_name", "contact_name", "status", "source", "received_at", "team"]
    list_filter = ["status", "source", "team"]
    search_fields = ["company_name", "contact_name"]
    readonly_fields = ["status", "first_contact_due_at", "first_contacted_at", "merged_into"]


admin.site.register(Contact, SimpleHistoryAdmin)
admin.site.register(CommunicationRecord, SimpleHistoryAdmin)
admin.site.register(NeedTag)
admin.site.register(MergeRecord)


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
