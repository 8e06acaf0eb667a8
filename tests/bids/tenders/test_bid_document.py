"""The bid document as a PDF (issue 12, R-BID-1): its parts in their current versions, a draft
until the bid's review approved it."""

from __future__ import annotations

import pytest

from bids.biddocs import services as parts
from bids.tenders.choices import PartKind
from presales.core.errors import NotFound
from presales.documents import services as documents
from tests.bids.tenders.test_biddocs import _bid, _part, _with_content
from tests.presales.documents.conftest import assert_cjk_pdf, rendered
from tests.proposals.solutions.factories import SectionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "watermark"), [("zh-hans", "草稿"), ("zh-hant", "草稿"), ("en", "DRAFT")]
)
def test_r_bid_1_the_bid_document_prints_its_parts_as_a_draft_before_approval(
    engineer, manager, opportunity, other_engineer, language, watermark
):
    _with_content(opportunity, SectionFactory, kind="architecture", body_html="<p>三層架構 three tiers</p>")
    bid = _bid(engineer, manager, opportunity)
    parts.part_draft(actor=engineer, part=_part(bid, PartKind.TECHNICAL))
    document = rendered(
        documents.document_request(
            actor=engineer, doc_type="bid_document", object_id=bid.pk, language=language
        )
    )
    text = assert_cjk_pdf(document)
    assert "三層架構threetiers" in text
    assert document.final is False and text.count(watermark) >= document.pages
    with pytest.raises(NotFound):
        documents.document_request(actor=other_engineer, doc_type="bid_document", object_id=bid.pk)
