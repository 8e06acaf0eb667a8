"""Industry needs templates of the knowledge base pre-fill an opportunity's requirement list
(R-KB-1, R-NEED-2): through the service and the API, all or none, only published templates the
caller may read."""

from __future__ import annotations

import pytest
from django.urls import reverse

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


def test_r_kb_1_the_article_page_edits_a_templates_items(client, engineer, other_engineer):
    """The web route to a template's requirement items: one a line, ``category | requirement``,
    ``!`` for a rigid need; a line without a requirement changes nothing; only an editor."""
    article = template(engineer)
    url = reverse("knowledge:needs_items", args=[article.pk])
    client.force_login(engineer)
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'data-testid="kb-needs-form"' in page and "! function | 生产排程与工单下达" in page
    # when the editor saves new lines (full-width bar and mark too)
    text = "! 性能 | 500 台设备数据秒级采集\n\n能耗看板\n！ 接口｜对接 SCADA | OPC UA"
    response = client.post(url, {"items": text})
    # then they are the template's items, in order
    assert response.status_code == 302
    items = [(i.category, i.description, i.rigid) for i in article.needs_items.all()]
    assert items == [
        ("性能", "500 台设备数据秒级采集", True),
        ("", "能耗看板", False),
        ("接口", "对接 SCADA | OPC UA", True),
    ]
    # when a line names no requirement, then it is a message and the items stay
    response = client.post(url, {"items": "功能 |\n能耗看板"}, follow=True)
    assert "Item 1 has no requirement." in response.content.decode()
    assert article.needs_items.count() == 3
    # another team's engineer may not edit it: 403 (the page offers no form)
    client.force_login(other_engineer)
    assert 'data-testid="kb-needs-form"' not in client.get(article.get_absolute_url()).content.decode()
    assert client.post(url, {"items": "x"}).status_code == 403
    assert article.needs_items.count() == 3


def test_r_kb_1_only_a_needs_template_has_items_on_the_web(client, engineer):
    article = services.article_create(
        actor=engineer, data={"kind": ArticleKind.PRODUCT, "title": "能耗模块", "body": "说明"}
    )
    client.force_login(engineer)
    assert 'data-testid="kb-needs-form"' not in client.get(article.get_absolute_url()).content.decode()
    response = client.post(
        reverse("knowledge:needs_items", args=[article.pk]), {"items": "a | b"}, follow=True
    )
    assert "Only an industry needs template has requirement items." in response.content.decode()
    assert not article.needs_items.exists()
