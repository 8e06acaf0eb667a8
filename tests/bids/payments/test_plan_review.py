"""R-PAY-1, R-CON-1, R-REV-5: the payment plan is part of the reviewed contract; changing it
while the contract is in review or approved sends the contract back to review."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bids.contracts import services as contracts
from bids.contracts.choices import ContractStatus
from bids.payments import services
from reviews.models import Review
from tests.bids.contracts.test_services import _approve
from tests.bids.payments.factories import drawn_contract, instalments

pytestmark = pytest.mark.django_db


def _in_review(sales_rep, opportunity):
    contract = drawn_contract(sales_rep, opportunity, prices=(Decimal("20000.00"),))
    return contracts.contract_submit(actor=sales_rep, contract=contract)


def test_r_pay_1_changing_the_plan_of_an_approved_contract_sends_it_back_to_draft(
    sales_rep, opportunity, approvers
):
    contract = _approve(_in_review(sales_rep, opportunity), approvers)
    assert contract.status == ContractStatus.APPROVED
    first = instalments(contract)[0]
    services.instalment_update(
        actor=sales_rep, instalment=first, data={"label": "预付款 Advance (renegotiated)"}
    )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT
    assert contract.status_changes.filter(move="reopen").exists()


def test_r_pay_1_changing_the_plan_during_the_review_withdraws_it(sales_rep, opportunity, approvers):
    contract = _in_review(sales_rep, opportunity)
    review = Review.objects.get(kind="contract", object_id=contract.pk, status="in_progress")
    services.plan_rebuild(actor=sales_rep, contract=contract)
    contract.refresh_from_db()
    review.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT and review.status == "cancelled"


def test_r_pay_1_an_unchanged_save_of_an_instalment_leaves_the_approval(sales_rep, opportunity, approvers):
    contract = _approve(_in_review(sales_rep, opportunity), approvers)
    first = instalments(contract)[0]
    services.instalment_update(actor=sales_rep, instalment=first, data={"label": first.label})
    contract.refresh_from_db()
    assert contract.status == ContractStatus.APPROVED
