"""The payment plan and receivables statement of a contract as a PDF (issue 12, R-PAY-1):
each instalment with its due date, amount, received and outstanding, its days past due, and
the receipts. Registered with the core's document framework from ``BidsConfig``."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bids.models import PaymentPlan, PaymentReceipt
from bids.payments import selectors
from presales.core.money import format_money
from presales.documents.registry import DocumentType, register_document_type


def _visible(user: Any):
    return PaymentPlan.objects.visible_to(user).select_related("contract__opportunity__customer")


def _fingerprint(plan: PaymentPlan) -> str:
    receipts = PaymentReceipt.objects.filter(instalment__plan=plan).aggregate(n=Count("id"), last=Max("id"))
    instalments = plan.instalments.aggregate(changed=Max("updated_at"), n=Count("id"))
    today = timezone.localdate()  # days past due change daily
    return f"{plan.pk}:{plan.amount}:{plan.received_total}:{receipts}:{instalments}:{today}"


def _context(plan: PaymentPlan, variant: str, user: Any) -> dict[str, Any]:
    contract = plan.contract
    currency = contract.currency
    today = timezone.localdate()
    rows = []
    for instalment in selectors.instalments_of(plan):
        overdue = (today - instalment.due_on).days if instalment.due_on and instalment.due_on < today else 0
        rows.append(
            {
                "label": instalment.label,
                "trigger": instalment.get_trigger_display(),
                "due_on": instalment.due_on,
                "amount": format_money(instalment.amount_due, currency),
                "received": format_money(instalment.received_total, currency),
                "outstanding": format_money(instalment.outstanding, currency),
                "status": instalment.get_status_display(),
                "days_overdue": overdue if instalment.outstanding > 0 else 0,
            }
        )
    return {
        "plan": plan,
        "contract": contract,
        "today": today,
        "rows": rows,
        "receipts": selectors.receipts_of(plan, limit=500),
        "totals": {
            "amount": format_money(plan.amount, currency),
            "received": format_money(plan.received_total, currency),
            "outstanding": format_money(plan.amount - plan.received_total, currency),
        },
        "currency": currency,
    }


def register() -> None:
    register_document_type(
        DocumentType(
            key="payment_statement",
            label=_("Payment plan and receivables statement"),
            model="bids.PaymentPlan",
            template="bids/payments/document_statement.html",
            visible=_visible,
            context=_context,
            fingerprint=_fingerprint,
            number=lambda plan: f"PAY-{plan.contract.opportunity_id:06d}",
            final=lambda plan: plan.contract.status == "signed",
            title=lambda plan: str(plan.contract),
        )
    )
