"""Admin of payment collection (R-PAY-1): the default plan templates are edited here (an
administrator's setting); plans, instalments and receipts are a read-only look-up, since
every change goes through bids/payments/services.py (its locks and the over-receipt check)."""

from django.contrib import admin

from bids.models import (
    PaymentInstalment,
    PaymentPlan,
    PaymentPlanTemplate,
    PaymentReceipt,
    PaymentTemplateLine,
)
from presales.core.admin import ReadOnlyHistoryAdmin


class PaymentTemplateLineInline(admin.TabularInline):
    model = PaymentTemplateLine
    extra = 1
    fields = ["position", "label", "percentage", "trigger", "offset_days"]


@admin.register(PaymentPlanTemplate)
class PaymentPlanTemplateAdmin(admin.ModelAdmin):
    """The default payment plan of new contracts whose payment terms give no percentages
    (the lines should sum to 100 %; otherwise the built-in 30/60/10 is used)."""

    list_display = ["name", "is_default"]
    inlines = [PaymentTemplateLineInline]


@admin.register(PaymentPlan)
class PaymentPlanAdmin(ReadOnlyHistoryAdmin):
    list_display = ["contract", "amount", "received_total"]
    list_select_related = ["contract"]


@admin.register(PaymentInstalment)
class PaymentInstalmentAdmin(ReadOnlyHistoryAdmin):
    list_display = ["label", "plan", "amount_due", "trigger", "due_on", "received_total"]
    list_select_related = ["plan__contract"]


@admin.register(PaymentReceipt)
class PaymentReceiptAdmin(ReadOnlyHistoryAdmin):
    list_display = ["received_on", "instalment", "kind", "amount", "method", "reference", "recorded_by"]
    list_select_related = ["instalment", "recorded_by"]
