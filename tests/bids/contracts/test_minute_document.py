"""Negotiation minutes as a document (issue 12, R-CON-5): the changed clauses before and after."""

from __future__ import annotations

import pytest
from django.utils import timezone

from bids.contracts import services
from presales.core.errors import NotFound
from presales.documents import services as documents
from tests.bids.contracts.test_clauses import _draw
from tests.presales.documents.conftest import assert_cjk_pdf, rendered

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_r_con_5_negotiation_minutes_print_with_the_changed_clauses(
    sales_rep, opportunity, other_engineer, language
):
    contract = _draw(sales_rep, opportunity)
    minute = services.negotiation_minute_record(
        actor=sales_rep,
        contract=contract,
        data={
            "held_on": timezone.localdate(),
            "our_attendees": "李工, 张经理",
            "customer_attendees": "王主任",
            "summary": "质保期延长至两年。",
        },
        terms={"warranty": "质保 24 个月"},
    )
    document = rendered(
        documents.document_request(
            actor=sales_rep, doc_type="negotiation_minute", object_id=minute.pk, language=language
        )
    )
    text = assert_cjk_pdf(document)
    assert "质保期延长至两年。" in text and "王主任" in text
    # the new warranty clause: its cell wraps beside the old text, so its glyphs extract apart
    assert all(piece in text for piece in ("24", "个", "月"))
    with pytest.raises(NotFound):
        documents.document_request(actor=other_engineer, doc_type="negotiation_minute", object_id=minute.pk)
