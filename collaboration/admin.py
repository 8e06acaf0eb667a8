"""Admin of collaboration: read the requests and minutes; changes go through the pages/API
(their services keep the timers and notifications), so the admin is read-only here."""

from django.contrib import admin

from collaboration.models import ActionItem, CollaborationRequest, MeetingMinute


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CollaborationRequest)
class CollaborationRequestAdmin(ReadOnlyAdmin):
    list_display = ["number", "item", "kind", "requester", "target_department", "status", "due_at", "rating"]
    list_filter = ["status", "kind", "target_department"]
    search_fields = ["number", "item"]
    list_select_related = ["requester"]


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    extra = 0
    readonly_fields = ["description", "owner", "due_on", "status", "done_at"]
    can_delete = False


@admin.register(MeetingMinute)
class MeetingMinuteAdmin(ReadOnlyAdmin):
    list_display = ["title", "held_at", "place", "created_by"]
    search_fields = ["title"]
    list_select_related = ["created_by"]
    inlines = [ActionItemInline]
