"""Handoff documents (issue 12, R-HAND-1, R-HAND-3): the frozen package and the acceptance
forms 產品驗收單 / 服務驗收單 as PDFs."""

from __future__ import annotations

import pytest
from django.utils import timezone

from bids.handoff import services
from presales.core.errors import NotFound
from presales.documents import services as documents
from tests.presales.documents.conftest import assert_cjk_pdf, rendered

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_r_hand_1_the_handoff_package_prints_its_frozen_sections(handoff, sales_rep, language):
    document = rendered(
        documents.document_request(
            actor=sales_rep, doc_type="handoff_package", object_id=handoff.pk, language=language
        )
    )
    text = assert_cjk_pdf(document)
    assert "王經理" in text  # the contacts section
    assert "3years" in text  # the contract terms
    assert document.final is True


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_r_hand_3_a_failed_service_acceptance_prints_with_its_rectification(
    handoff, sales_rep, engineer, other_engineer, language
):
    acceptance = services.acceptance_record(
        actor=sales_rep,
        handoff=handoff,
        kind="service",
        data={
            "result": "failed",
            "accepted_on": timezone.localdate(),
            "items": "培训未完成",
            "owner": engineer,
        },
    )
    document = rendered(
        documents.document_request(
            actor=sales_rep, doc_type="acceptance_form", object_id=acceptance.pk, language=language
        )
    )
    text = assert_cjk_pdf(document)
    assert "培训未完成" in text
    with pytest.raises(NotFound):
        documents.document_request(actor=other_engineer, doc_type="acceptance_form", object_id=acceptance.pk)
