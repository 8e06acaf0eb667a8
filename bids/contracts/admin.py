"""Support look-up of contracts: read-only. Every change (the terms, the lines, the review,
the signing, the archive) goes through bids/contracts/services.py, never through the admin."""

from django.contrib import admin

from bids.models import Contract, ContractLine, ContractStatusChange
from presales.core.admin import ReadOnlyHistoryAdmin


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
