from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from presales.accounts.models import ApiToken, Team, User
from presales.accounts.services import api_token_revoke
from presales.core.models import DownloadLog
from presales.documents import admin as _documents_admin  # noqa: F401
from presales.exports.models import ExportJob, ExportLog


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Presales"), {"fields": ("display_name", "team", "language", "phone")}),
    )
    list_display = ["username", "display_name", "team", "language", "is_active"]
    list_filter = ["team", "groups", "is_active"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "manager"]


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "resource", "row_count", "channel"]
    readonly_fields = ["created_at", "user", "resource", "query", "row_count", "channel"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DownloadLog)
class DownloadLogAdmin(admin.ModelAdmin):
    """Who downloaded which customer document (presales/core/uploads.py); looked up only."""

    list_display = ["at", "user", "object_type", "object_id", "file_name"]
    list_filter = ["object_type"]
    list_select_related = ["user"]
    readonly_fields = ["at", "user", "object_type", "object_id", "file_name", "stored_name"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Support look-up only: jobs are started and run by presales/exports.py."""

    list_display = ["created_at", "user", "resource", "state", "progress", "total", "row_count"]
    list_filter = ["state", "resource"]
    readonly_fields = [f.name for f in ExportJob._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Support look-up and revocation; tokens are created by their users (/accounts/tokens/)."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = [f.name for f in ApiToken._meta.fields]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset) -> None:
        revoked = 0
        for token in queryset:
            api_token_revoke(token_id=token.pk, actor=token.user)
            revoked += 1
        self.message_user(request, _("%(count)d tokens revoked.") % {"count": revoked})
