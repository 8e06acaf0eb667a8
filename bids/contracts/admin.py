"""Support look-up of contracts: read-only. Every change (the terms, the lines, the review,
the signing, the archive) goes through bids/contracts/services.py, never through the admin."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from bids.contracts import services
from bids.models import (
    ClauseChange,
    ClauseTemplate,
    Contract,
    ContractLine,
    ContractStatusChange,
    NegotiationMinute,
)
from presales.core.admin import ReadOnlyHistoryAdmin
from presales.core.errors import DomainError


@admin.register(Contract)
class ContractAdmin(ReadOnlyHistoryAdmin):
    list_display = ["__str__", "opportunity", "status", "amount", "currency", "signed_on", "archived_at"]
    list_filter = ["status"]
    list_select_related = ["opportunity"]
    search_fields = ["number", "title"]


@admin.register(ContractLine)
class ContractLineAdmin(ReadOnlyHistoryAdmin):
    list_display = ["item", "contract", "quantity", "unit_price", "price_incl"]
    list_select_related = ["contract"]


@admin.register(ContractStatusChange)
class ContractStatusChangeAdmin(admin.ModelAdmin):
    list_display = ["at", "contract", "from_status", "to_status", "move", "actor"]
    list_select_related = ["contract", "actor"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ClauseTemplate)
class ClauseTemplateAdmin(admin.ModelAdmin):
    """R-CON-5: an admin publishes the standard clauses. Adding a text publishes it as the
    clause's next version (the service ``clause_template_publish``); versions are never
    edited in place, as contracts compare their clauses with the version they started from."""

    list_display = ["key", "language", "version", "active", "created_by", "created_at"]
    list_filter = ["active", "key", "language"]
    fields = ["key", "language", "text"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        try:
            published = services.clause_template_publish(
                actor=request.user, key=obj.key, language=obj.language, text=obj.text
            )
        except DomainError as exc:
            raise PermissionDenied(exc.message) from exc
        obj.pk = published.pk


@admin.register(NegotiationMinute)
class NegotiationMinuteAdmin(admin.ModelAdmin):
    list_display = ["contract", "held_on", "created_by"]
    list_select_related = ["contract", "created_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ClauseChange)
class ClauseChangeAdmin(admin.ModelAdmin):
    list_display = ["contract", "field", "changed_by", "created_at", "customer_confirmed_by", "confirmed_at"]
    list_select_related = ["contract", "changed_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
