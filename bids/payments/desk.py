"""The payments section of the opportunity desk (order 75, R-PAY-1): the contract's payment
plan with its instalments, due dates, received and outstanding amounts, the latest receipts;
the forms to edit the plan (before signing) and to record events, due dates and receipts
(after signing). The instalments' collection timers are in the desk's Timers tab."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bids.contracts.choices import ContractStatus
from bids.models import Contract, PaymentInstalment
from bids.payments import selectors
from bids.payments.choices import EVENT_TRIGGERS, InstalmentStatus
from bids.payments.forms import DueDateForm, EventForm, InstalmentForm, ReceiptForm, ReverseForm
from bids.payments.services import reasons_of
from opportunities.desk import DeskSection, register_desk_section, register_desk_timers
from opportunities.permissions import can_work_opportunity


def desk_context(request, opportunity) -> dict[str, Any]:
    contract = Contract.objects.filter(opportunity=opportunity).first()
    context: dict[str, Any] = {"opportunity": opportunity, "contract": contract, "plan": None}
    if contract is None:
        return context
    plan = selectors.plan_of(contract)
    if plan is None:
        return context
    today = timezone.localdate()
    instalments = selectors.instalments_of(plan)
    for instalment in instalments:
        instalment.current_status = instalment.status_on(today)
    signed = contract.status == ContractStatus.SIGNED
    can_work = can_work_opportunity(request.user, opportunity)
    context.update(
        {
            "plan": plan,
            "signed": signed,
            "can_work": can_work,
            "instalments": instalments,
            "total_due": sum((i.amount_due for i in instalments), Decimal("0.00")),
            "statuses": InstalmentStatus,
        }
    )
    if not signed:
        context["reasons"] = reasons_of(contract, instalments)
        if can_work:
            context["add_form"] = InstalmentForm(prefix="new", initial={"offset_days": 0})
            context["edit_forms"] = [
                (
                    instalment,
                    InstalmentForm(
                        prefix=f"i{instalment.pk}",
                        initial={
                            name: getattr(instalment, name)
                            for name in (
                                "label",
                                "percentage",
                                "fixed_amount",
                                "trigger",
                                "offset_days",
                                "fixed_date",
                            )
                        },
                    ),
                )
                for instalment in instalments
            ]
        return context
    context["receipts"] = selectors.receipts_of(plan)
    context["reversed"] = selectors.reversed_ids(plan)
    if can_work:
        open_items = [i for i in instalments if i.outstanding > 0]
        context["receipt_form"] = ReceiptForm(initial={"received_on": today})
        context["open_instalments"] = open_items
        context["due_form"] = DueDateForm(auto_id=False)
        context["reverse_form"] = ReverseForm(auto_id=False)
        if any(i.due_on is None and i.trigger in EVENT_TRIGGERS for i in instalments):
            context["event_form"] = EventForm(initial={"occurred_on": today})
    return context


def payment_timers(opportunity: Any) -> Q:
    return Q(
        subject_type=ContentType.objects.get_for_model(PaymentInstalment),
        subject_id__in=PaymentInstalment.objects.filter(plan__contract__opportunity=opportunity).values("pk"),
    )


def register() -> None:
    register_desk_timers(payment_timers)
    register_desk_section(
        DeskSection(
            key="payments",
            label=_("Payments"),
            order=75,
            template="bids/payments/desk.html",
            context=desk_context,
        )
    )
