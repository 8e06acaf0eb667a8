"""Industry needs templates of the knowledge base pre-fill an opportunity's requirement list
(R-KB-1, R-NEED-2): through the service and the API, all or none, only published templates the
caller may read."""

from __future__ import annotations

import pytest

from knowledge import services
from knowledge.choices import ArticleKind, Visibility
from presales.core.errors import DomainError
from proposals.models import Requirement
from proposals.needs.services import requirements_from_template
from tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def opportunity(team, engineer):
    return OpportunityFactory(team=team, presales_owner=engineer, stage="needs_analysis")


def template(actor, *, publish=True, **data):
    article = services.article_create(
        actor=actor,
        data={
            "kind": ArticleKind.NEEDS_TEMPLATE,
            "title": "离散制造需求分析表",
            "industry": "manufacturing",
            **data,
        },
    )
    services.needs_items_set(
        actor=actor,
        article=article,
        items=[
            {"category": "function", "description": "生产排程与工单下达", "rigid": True},
            {"category": "性能", "description": "500 台设备数据秒级采集"},
            {"category": "车间", "description": "看板展示"},
        ],
    )
    if publish:
        article = services.article_move(actor=actor, article=article, move="publish")
    return article


def test_r_kb_1_a_needs_template_pre_fills_the_requirement_list(engineer, opportunity):
    created = requirements_from_template(actor=engineer, opportunity=opportunity, template=template(engineer))
    rows = [(r.kind, r.category, r.description) for r in created]
    assert rows == [
        ("rigid", "function", "生产排程与工单下达"),
        ("flexible", "performance", "500 台设备数据秒级采集"),  # named in Chinese: 性能
        ("flexible", "function", "看板展示"),  # not one of ours: a function
    ]
    assert [r.number for r in created] == [1, 2, 3]


def test_r_kb_1_a_draft_template_is_refused(engineer, opportunity):
    with pytest.raises(DomainError) as refused:
        requirements_from_template(
            actor=engineer, opportunity=opportunity, template=template(engineer, publish=False)
        )
    assert "template" in refused.value.fields
    assert not Requirement.objects.filter(opportunity=opportunity).exists()


def test_r_kb_1_api_pre_fills_and_hides_other_teams_templates(
    client_for, engineer, other_engineer, opportunity
):
    mine = template(engineer)
    theirs = template(other_engineer, visibility=Visibility.TEAM, title="别队模板")
    client = client_for(engineer)
    response = client.post(
        "/api/v1/requirements/from-template/",
        {"opportunity": opportunity.pk, "template": mine.pk},
        format="json",
    )
    assert response.status_code == 201 and len(response.json()) == 3
    response = client.post(
        "/api/v1/requirements/from-template/",
        {"opportunity": opportunity.pk, "template": theirs.pk},
        format="json",
    )
    assert response.status_code == 400 and "template" in response.json()["fields"]


def test_r_kb_1_the_needs_tab_offers_the_templates_and_adds_their_items(client, engineer, opportunity):
    # given a published template of the customer's industry
    article = template(engineer)
    client.force_login(engineer)
    # when the needs tab is shown, then it offers it
    page = client.get(f"/proposals/opportunities/{opportunity.pk}/needs/")
    assert page.status_code == 200 and article.title in page.content.decode()
    # when it is chosen, then its items are the list's requirements
    response = client.post(
        f"/proposals/opportunities/{opportunity.pk}/needs/template/", {"template": article.pk}
    )
    assert response.status_code in (200, 302)
    assert Requirement.objects.filter(opportunity=opportunity).count() == 3
    # and a made-up id is a message, not a 500
    response = client.post(
        f"/proposals/opportunities/{opportunity.pk}/needs/template/", {"template": "99999"}
    )
    assert response.status_code == 400  # shown as the form's error
    assert Requirement.objects.filter(opportunity=opportunity).count() == 3
