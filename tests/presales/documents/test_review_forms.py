"""Review forms as documents (issue 12, R-REV-6): the solution review form 方案審核表 with its
sign-offs (check items, scores, comments, names and times), a draft until approved."""

from __future__ import annotations

import pytest

from opportunities.choices import Stage
from presales.core.errors import NotFound
from presales.core.roles import Role
from presales.documents import services
from proposals.solutions import services as solutions
from reviews.services import review_decide
from tests.factories import ReviewChainFactory, ReviewChainStepFactory
from tests.presales.documents.conftest import pdf_text, rendered, squeezed
from tests.proposals.solutions.conftest import LINE, review_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(opportunity, engineer, manager):
    opportunity.stage = Stage.SOLUTION
    opportunity.save(update_fields=["stage"])
    chain = ReviewChainFactory(
        kind="solution_version",
        score_criteria=[{"code": "technical", "label": "Technical"}],
    )
    ReviewChainStepFactory(
        chain=chain,
        order=1,
        approver_role=Role.PRESALES_MANAGER,
        check_items=[{"code": "fit", "label": "技术方案满足需求"}],
    )
    solution = solutions.solution_create(actor=engineer, opportunity=opportunity, title="产线节能方案")
    version = solution.versions.get()
    solutions.section_create(
        actor=engineer, version=version, kind="background", data={"body_html": "<p>背景</p>"}
    )
    solutions.line_create(actor=engineer, version=version, data=dict(LINE))
    solutions.version_submit(actor=engineer, version=version)
    return review_of(version)


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_r_rev_6_the_solution_review_form_prints_each_sign_off(submitted, engineer, manager, language):
    draft = rendered(
        services.document_request(
            actor=engineer, doc_type="review_form", object_id=submitted.pk, language=language
        )
    )
    assert draft.final is False
    review_decide(
        actor=manager,
        review=submitted,
        decision="approve",
        comment="同意，注意交期。",
        scores={"technical": 4},
        checks={"fit": {"ok": True}},
    )
    document = rendered(
        services.document_request(
            actor=engineer, doc_type="review_form", object_id=submitted.pk, language=language
        )
    )
    assert document.pk != draft.pk and document.final is True
    text = squeezed(pdf_text(document))
    assert "技术方案满足需求" in text and "同意，注意交期。" in text
    assert str(manager).replace(" ", "") in text
    assert "4" in text and "产线节能方案" in text
    assert "DRAFT" not in text and "草稿" not in text


def test_a_review_form_of_another_team_is_not_found(submitted, other_engineer):
    with pytest.raises(NotFound):
        services.document_request(actor=other_engineer, doc_type="review_form", object_id=submitted.pk)
