"""demo/payments.py (R-PAY-1): receipts on the first signed contract, the second's advance
overdue with its timer, nothing more when run again."""

from __future__ import annotations

import pytest
from django.utils import timezone

from bids.models import PaymentReceipt
from demo.payments import collect_payments
from tests.bids.payments.factories import instalments, signed_contract
from tests.bids.payments.test_services import _timer
from tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def test_r_pay_1_demo_collects_and_leaves_one_instalment_overdue(sales_rep, team, opportunity, approvers):
    terms = "30% 预付款, 60% 到货, 10% 验收 / 30% advance, 60% on delivery, 10% on acceptance"
    first = signed_contract(sales_rep, opportunity, approvers, terms=terms)
    other = OpportunityFactory(team=team, sales_owner=sales_rep, presales_owner=sales_rep, stage="contract")
    second = signed_contract(sales_rep, other, approvers, terms=terms)
    assert collect_payments() == {"receipts": 2, "overdue": 1}
    advance, delivery, _acceptance = instalments(first)
    assert advance.outstanding == 0 and delivery.received_total == delivery.amount_due / 2
    overdue = instalments(second)[0]
    assert overdue.due_on < timezone.localdate() and overdue.status == "overdue"
    assert _timer(overdue, state="open").due_at < timezone.now()
    assert collect_payments() == {"receipts": 0, "overdue": 0}
    assert PaymentReceipt.objects.count() == 2
