"""The knowledge base in headless Chromium (R-KB-1); only the engineer, an opportunity of a
manufacturing customer in the needs analysis and another team's published article are made in
the database:

the engineer writes an industry needs template (行業客戶需求分析表) as a new article, gives it
its requirement items on its page and publishes it → a two-character Chinese search (制造)
finds it with the characters highlighted, and not the article that does not hold them → on the
opportunity's needs tab they pre-fill the requirement list from the template: the items are the
list's requirements, rigid or flexible as the template says. No console error on the way.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from knowledge import services as knowledge
from knowledge.choices import ArticleKind, ArticleStatus
from knowledge.models import Article
from opportunities.models import Opportunity
from presales.core.roles import Role
from proposals.models import Requirement
from tests.browser.test_issue11_journey import as_user, no_errors, open_desk, watch_console
from tests.factories import CustomerFactory, OpportunityFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "离散制造业客户需求分析表"
ITEMS = "! function | 生产排程与工单下达\n性能 | 500 台设备数据秒级采集\n能耗看板与班组对标"


def the_setting() -> Opportunity:
    team = TeamFactory(name="East Presales")
    engineer = UserFactory(
        username="engineer", display_name="Zhang Engineer", roles=[Role.PRESALES_ENGINEER], team=team
    )
    west = TeamFactory(name="West Presales")
    colleague = UserFactory(
        username="west", display_name="Wang West", roles=[Role.PRESALES_ENGINEER], team=west
    )
    other = knowledge.article_create(
        actor=colleague,
        data={
            "kind": ArticleKind.PROJECT_EXPERIENCE,
            "title": "医院信息化项目经验",
            "body": "门诊系统上线前三周的数据迁移演练。",
        },
    )
    knowledge.article_move(actor=colleague, article=other, move="publish")
    customer = CustomerFactory(team=team, name="Donghai Motors", industry="manufacturing")
    return OpportunityFactory(
        team=team, customer=customer, presales_owner=engineer, title="Smart plant MES", stage="needs_analysis"
    )


def write_the_template(page: Page, base: str) -> Article:
    """The engineer writes the template as a new article, gives it its items, publishes it."""
    page.goto(base + reverse("knowledge:search"))
    page.get_by_test_id("kb-new").click()
    form = page.get_by_test_id("kb-form")
    form.locator("[name=kind]").select_option(ArticleKind.NEEDS_TEMPLATE)
    form.locator("[name=title]").fill(TITLE)
    form.locator("[name=summary]").fill("离散制造企业售前调研时逐项确认的需求。")
    form.locator("[name=body]").fill("适用于汽车零部件、机械加工等离散制造客户的 MES 项目。")
    form.locator("[name=industry]").select_option("manufacturing")
    form.locator("[name=tags]").fill("制造, MES")
    form.get_by_test_id("submit").click()
    no_errors(page)
    expect(page.get_by_test_id("kb-title")).to_have_text(TITLE)

    items = page.get_by_test_id("kb-needs-form")
    items.locator("[name=items]").fill(ITEMS)
    items.get_by_role("button", name="Save the items").click()
    no_errors(page)
    table = page.get_by_test_id("kb-needs-items")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table).to_contain_text("生产排程与工单下达")

    page.get_by_test_id("kb-publish").click()
    no_errors(page)
    expect(page.get_by_test_id("kb-publish")).to_have_count(0)
    article = Article.objects.get(title=TITLE)
    assert (article.kind, article.status, article.owner.username) == (
        ArticleKind.NEEDS_TEMPLATE,
        ArticleStatus.PUBLISHED,
        "engineer",
    )
    assert [(i.category, i.description, i.rigid) for i in article.needs_items.all()] == [
        ("function", "生产排程与工单下达", True),
        ("性能", "500 台设备数据秒级采集", False),
        ("", "能耗看板与班组对标", False),
    ]
    return article


def search_for_it(page: Page, base: str, article: Article) -> None:
    """A two-character Chinese query finds it, highlighted; the other article is not a hit."""
    page.goto(base + reverse("knowledge:search"))
    search = page.get_by_test_id("kb-search")
    search.locator("[name=q]").fill("制造")
    search.get_by_role("button", name="Search").click()
    hits = page.get_by_test_id("kb-hit")
    expect(hits).to_have_count(1)
    expect(hits).to_contain_text(TITLE)
    expect(hits).not_to_contain_text("医院信息化项目经验")
    marks = hits.locator("mark")
    expect(marks.first).to_have_text("制造")
    assert set(marks.all_inner_texts()) == {"制造"}
    # the article opens with the query still highlighted
    hits.click()
    expect(page.get_by_test_id("kb-title").locator("mark")).to_have_text("制造")
    assert page.url.endswith(f"{article.get_absolute_url()}?q=%E5%88%B6%E9%80%A0")


def test_an_article_found_in_chinese_and_a_needs_template_applied_R_KB_1(live_server, page: Page):
    base = live_server.url
    problems = watch_console(page)
    opportunity = the_setting()
    as_user(page, base, "engineer")

    article = write_the_template(page, base)
    search_for_it(page, base, article)

    # when the engineer pre-fills the opportunity's requirement list from the template
    open_desk(page, base + opportunity.get_absolute_url(), "needs")
    expect(page.get_by_test_id("requirements")).to_contain_text("No requirement yet.")
    page.locator("#needs-section details summary", has_text="Paste a table or import a file").click()
    apply = page.get_by_test_id("needs-from-template")
    apply.locator("[name=template]").select_option(label=f"{TITLE} · Manufacturing")
    apply.get_by_role("button", name="Add its requirements").click()

    # then the list holds the template's items, rigid or flexible as it says
    rows = page.locator("[data-testid=requirements] tbody tr[data-requirement]")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("生产排程与工单下达")
    expect(rows.nth(0)).to_contain_text("Rigid")
    expect(rows.nth(1)).to_contain_text("500 台设备数据秒级采集")
    expect(rows.nth(1)).to_contain_text("Performance")
    expect(page.get_by_test_id("needs-summary")).to_contain_text("0/3")
    saved = list(
        Requirement.objects.filter(opportunity=opportunity)
        .order_by("number")
        .values_list("number", "kind", "category", "description")
    )
    assert saved == [
        (1, "rigid", "function", "生产排程与工单下达"),
        (2, "flexible", "performance", "500 台设备数据秒级采集"),
        (3, "flexible", "function", "能耗看板与班组对标"),
    ]
    assert problems == []
