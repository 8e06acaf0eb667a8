"""The needs documents (issue 12, R-NEED): the confirmation list 客戶需求確認清單 with its six
columns, draft until every requirement is confirmed, and a frozen needs report 客戶需求報告."""

from __future__ import annotations

import pytest
from django.utils import timezone

from presales.core.errors import NotFound
from presales.documents import services
from proposals.models import Requirement
from proposals.needs.services import needs_report_create
from tests.presales.documents.conftest import assert_cjk_pdf, pdf_text, rendered, squeezed
from tests.proposals.solutions.factories import RequirementFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_r_need_confirmation_list_prints_each_requirement_with_who_confirmed_it_and_how(
    opportunity, engineer, language
):
    RequirementFactory(opportunity=opportunity, created_by=engineer, description="降低生產線能耗30%")
    RequirementFactory(opportunity=opportunity, created_by=engineer, description="支持 OPC UA 接入")
    Requirement.objects.filter(opportunity=opportunity).update(
        confirmation_status="confirmed",
        confirmation_method="email",
        confirmed_by_name="王建国",
        confirmed_at=timezone.now(),
    )
    document = rendered(
        services.document_request(
            actor=engineer, doc_type="needs_confirmation", object_id=opportunity.pk, language=language
        )
    )
    text = squeezed(pdf_text(document))  # narrow columns wrap lines
    assert "降低生產線能耗" in text and "支持OPCUA接" in text
    assert text.count("王建国") == 2 and "REQ-" in text
    assert document.final is True
    assert "DRAFT" not in text and "草稿" not in text


def test_the_confirmation_list_is_a_draft_while_a_requirement_is_unconfirmed(opportunity, engineer):
    RequirementFactory(opportunity=opportunity, created_by=engineer)
    document = rendered(
        services.document_request(
            actor=engineer, doc_type="needs_confirmation", object_id=opportunity.pk, language="en"
        )
    )
    assert document.final is False
    assert "DRAFT" in squeezed(pdf_text(document))


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_a_needs_report_version_renders_its_frozen_content(opportunity, engineer, language):
    RequirementFactory(opportunity=opportunity, created_by=engineer, description="能耗可视化大屏")
    report = needs_report_create(actor=engineer, opportunity=opportunity)
    Requirement.objects.filter(opportunity=opportunity).update(description="changed later")
    document = rendered(
        services.document_request(
            actor=engineer, doc_type="needs_report", object_id=report.pk, language=language
        )
    )
    text = assert_cjk_pdf(document)
    assert "能耗可视化大屏" in text and "changedlater" not in text
    assert document.number == f"NR-{opportunity.pk:06d}-V1"


def test_needs_documents_of_another_team_are_not_found(opportunity, engineer, other_engineer):
    report = needs_report_create(actor=engineer, opportunity=opportunity)
    for doc_type, pk in (("needs_confirmation", opportunity.pk), ("needs_report", report.pk)):
        with pytest.raises(NotFound):
            services.document_request(actor=other_engineer, doc_type=doc_type, object_id=pk)
