"""The payment plan and receivables statement as a PDF (issue 12, R-PAY-1)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from bids.payments import services
from presales.core.errors import NotFound
from presales.documents import services as documents
from tests.bids.payments.factories import instalments, signed_contract
from tests.presales.documents.conftest import assert_cjk_pdf, rendered

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_r_pay_1_the_statement_prints_each_instalment_with_received_and_outstanding(
    sales_rep, opportunity, approvers, other_engineer, language
):
    contract = signed_contract(sales_rep, opportunity, approvers, prices=(Decimal("10000.00"),))
    first = instalments(contract)[0]
    services.receipt_record(
        actor=sales_rep,
        instalment=first,
        data={
            "amount": Decimal("1000.00"),
            "received_on": timezone.localdate(),
            "method": "bank_transfer",
            "reference": "招行-0042",
        },
    )
    plan = contract.payment_plan
    document = rendered(
        documents.document_request(
            actor=sales_rep, doc_type="payment_statement", object_id=plan.pk, language=language
        )
    )
    text = assert_cjk_pdf(document)
    assert "招行-0042" in text and "1,000.00" in text
    assert first.label.replace(" ", "") in text
    assert document.final is True
    with pytest.raises(NotFound):
        documents.document_request(actor=other_engineer, doc_type="payment_statement", object_id=plan.pk)
