"""Two receipts recorded at the same moment that together exceed what is owed: exactly one
is taken (R-PAY-1). The first thread takes its row locks and holds them until PostgreSQL
shows the second waiting (tests/concurrency.py); the second then reads the received total
the first committed and is refused. Without the plan's lock both would read 0 and both pass
the check (the database CHECK would still refuse the instalment's total: the second line)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from bids.models import PaymentInstalment, PaymentPlan, PaymentReceipt
from bids.payments import services
from presales.core.errors import Conflict
from tests.bids.payments.factories import instalments, signed_contract
from tests.concurrency import PauseAfterFirstLock, run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)


def test_r_pay_1_concurrent_receipts_over_the_amount_give_one_success(sales_rep, opportunity, approvers):
    contract = signed_contract(sales_rep, opportunity, approvers)
    delivery = instalments(contract)[1]  # 600.00
    pause = PauseAfterFirstLock()
    data = {"amount": Decimal("400.00"), "received_on": timezone.localdate(), "method": "bank_transfer"}

    def first():
        with pause.installed():
            return services.receipt_record(actor=sales_rep, instalment=delivery, data=data)

    def second():
        pause.holding.wait(timeout=30)
        return services.receipt_record(actor=sales_rep, instalment=delivery, data=data)

    outcomes = run_in_threads(first, second)
    assert pause.waited == [True]
    assert isinstance(outcomes[0], PaymentReceipt)
    assert isinstance(outcomes[1], Conflict) and outcomes[1].code == "over_receipt"
    assert PaymentReceipt.objects.count() == 1
    assert PaymentInstalment.objects.get(pk=delivery.pk).received_total == Decimal("400.00")
    assert PaymentPlan.objects.get(contract=contract).received_total == Decimal("400.00")
