"""The demo's payment collection (R-PAY-1): receipts on the signed demo contracts and one
instalment overdue, all through bids/payments/services.py.

``collect_payments()`` is called once the lifecycle has signed its contracts (demo/contracts.py
``sign_for_handoff``: their payment plans were made from the payment terms, 30 % on signing,
60 % on delivery, 10 % on acceptance). In the order the contracts were signed:

- the first is paid on signing, delivered ten days ago and half of its delivery instalment
  received (by bank acceptance bill);
- the second's advance was agreed for 45 days ago and is unpaid: its collection timer is
  overdue and escalates to the sales owner's manager at the next sweep;
- every further one has its advance received in full.

Each contract is worked by its opportunity's sales owner (or its author). Run again, it
changes nothing for contracts that already have receipts or a moved due date.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from bids.contracts.choices import ContractStatus
from bids.models import Contract, PaymentInstalment, PaymentReceipt
from bids.payments import services
from bids.payments.choices import PaymentMethod, Trigger


def _receive(actor, instalment: PaymentInstalment, amount: Decimal, method: str, reference: str, on) -> None:
    services.receipt_record(
        actor=actor,
        instalment=instalment,
        data={"amount": amount, "received_on": on, "method": method, "reference": reference},
    )


def collect_payments() -> dict[str, int]:
    """Receipts and one overdue instalment on the signed demo contracts (see the module's
    docstring). Returns how many receipts were recorded and instalments made overdue."""
    today = timezone.localdate()
    done = {"receipts": 0, "overdue": 0}
    signed = (
        Contract.objects.filter(status=ContractStatus.SIGNED)
        .select_related("opportunity")
        .order_by("signed_at", "pk")
    )
    for index, contract in enumerate(signed):
        if PaymentReceipt.objects.filter(instalment__plan__contract=contract).exists():
            continue
        actor = contract.opportunity.sales_owner or contract.created_by
        rows = list(PaymentInstalment.objects.filter(plan__contract=contract).order_by("position", "id"))
        advance = next((i for i in rows if i.trigger == Trigger.ON_SIGNING and i.due_on), None)
        if advance is None:
            continue
        if index == 1:
            if advance.due_on and advance.due_on < today:
                continue
            services.instalment_update(
                actor=actor, instalment=advance, data={"due_on": today - timedelta(days=45)}
            )
            done["overdue"] += 1
            continue
        received_on = contract.signed_on or today
        _receive(
            actor,
            advance,
            advance.amount_due,
            PaymentMethod.BANK_TRANSFER,
            f"BT-{contract.pk}-1",
            received_on,
        )
        done["receipts"] += 1
        if index == 0 and any(i.trigger == Trigger.ON_DELIVERY for i in rows):
            delivered = max(received_on, today - timedelta(days=10))
            services.plan_record_event(
                actor=actor, contract=contract, trigger=Trigger.ON_DELIVERY, occurred_on=delivered
            )
            delivery = next(i for i in rows if i.trigger == Trigger.ON_DELIVERY)
            half = (delivery.amount_due / 2).quantize(Decimal("0.01"))
            _receive(actor, delivery, half, PaymentMethod.ACCEPTANCE_BILL, "承兑汇票 / bill 0001", today)
            done["receipts"] += 1
    return done
