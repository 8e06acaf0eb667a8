"""The knowledge base (R-KB-1): articles of six kinds, their visibility, the rules of each kind,
versions, and the ranked search that works for Chinese (two characters and more), English and
mixed queries, served by its GIN index."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.urls import reverse

from knowledge import services
from knowledge.choices import ArticleKind, ArticleStatus, Visibility
from knowledge.models import Article
from knowledge.search import article_search
from knowledge.tokens import highlight, tsquery_literal, tsvector_literal
from presales.core.errors import DomainError, NotAllowed
from presales.core.roles import Role
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def publish(actor, **data):
    tags = data.pop("tags", None)
    data.setdefault("kind", ArticleKind.PRODUCT)
    data.setdefault("body", "正文")
    article = services.article_create(actor=actor, data=data, tags=tags)
    return services.article_move(actor=actor, article=article, move="publish")


def titles(queryset):
    return [a.title for a in queryset]


# --- tokens ---------------------------------------------------------------------------------


def test_r_kb_1_keys_are_bigrams_of_chinese_runs_and_folded_latin_words():
    literal = tsvector_literal([("智能制造MES系统", "A")])
    assert "'智能':1A" in literal and "'制造':3A" in literal and "'mes':" in literal and "'系统':" in literal
    assert "'造m" not in literal  # no key across Chinese and Latin


def test_r_kb_1_a_longer_chinese_query_is_the_phrase_of_its_bigrams():
    assert tsquery_literal("能耗管理") == "('能耗' <-> '耗管' <-> '管理')"
    assert tsquery_literal("MES 制造") == "'mes':* & ('制造')"
    assert tsquery_literal("!!!") == ""


def test_r_kb_1_highlight_escapes_and_marks_every_occurrence():
    html = highlight("<b>制造</b>业的制造", "制造")
    assert html == "&lt;b&gt;<mark>制造</mark>&lt;/b&gt;业的<mark>制造</mark>"


# --- search -----------------------------------------------------------------------------------


@pytest.fixture
def library(engineer):
    return {
        "mfg": publish(
            engineer, title="离散制造MES方案", summary="车间能耗与排产", body="适用于汽车零部件制造企业。"
        ),
        "energy": publish(engineer, title="园区能耗管理平台", body="能耗监测、碳排放核算。"),
        "bank": publish(
            engineer, title="银行核心系统迁移经验", body="Oracle to PostgreSQL migration, 双活数据中心。"
        ),
        "news": publish(
            engineer, kind=ArticleKind.INDUSTRY_NEWS, source="工信部", title="智能制造政策解读", body="政策"
        ),
        "trap": publish(
            engineer, title="管理耗能", body="耗管 not adjacent"
        ),  # the bigrams of 能耗管 scattered
    }


def test_r_kb_1_two_character_chinese_queries_find_every_article_containing_them(engineer, library):
    found = titles(article_search(Article.objects.visible_to(engineer), "制造"))
    assert set(found) == {"离散制造MES方案", "智能制造政策解读"}
    assert set(titles(article_search(Article.objects.all(), "能耗"))) == {
        "离散制造MES方案",
        "园区能耗管理平台",
    }


def test_r_kb_1_a_four_character_query_needs_the_characters_in_order(library):
    assert titles(article_search(Article.objects.all(), "能耗管理")) == ["园区能耗管理平台"]


def test_r_kb_1_mixed_and_english_queries(library):
    assert titles(article_search(Article.objects.all(), "MES 制造")) == ["离散制造MES方案"]
    assert titles(article_search(Article.objects.all(), "postgres")) == [
        "银行核心系统迁移经验"
    ]  # prefix of PostgreSQL
    assert titles(article_search(Article.objects.all(), "ＭＥＳ")) == ["离散制造MES方案"]  # full width


def test_r_kb_1_title_hits_rank_before_body_hits(engineer, library):
    body_only = publish(engineer, title="排产优化", body="离散制造车间排产。" * 3)
    ranked = titles(article_search(Article.objects.all(), "离散制造"))
    assert ranked[0] == "离散制造MES方案" and body_only.title in ranked


def test_r_kb_1_the_search_keys_follow_every_write(engineer, library):
    article = library["bank"]
    services.article_update(
        actor=engineer, article=article, data={"title": "证券行业灾备经验"}, tags=["容灾"]
    )
    assert titles(article_search(Article.objects.all(), "灾备")) == ["证券行业灾备经验"]
    assert titles(article_search(Article.objects.all(), "容灾")) == ["证券行业灾备经验"]  # tags are searched
    assert titles(article_search(Article.objects.all(), "银行核心")) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index exists on PostgreSQL only")
def test_r_kb_1_the_search_reads_its_gin_index_not_the_table(engineer, library):
    queryset = article_search(Article.objects.visible_to(engineer), "能耗")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = json.loads(queryset.explain(format="json"))

    def walk(node):
        yield node
        for child in node.get("Plans", []):
            yield from walk(child)

    nodes = list(walk(plan[0]["Plan"]))
    assert any(n.get("Index Name") == "kb_article_search" for n in nodes), nodes
    assert not any(
        n["Node Type"] == "Seq Scan" and n.get("Relation Name") == "knowledge_article" for n in nodes
    )


def test_r_kb_1_a_page_of_a_longer_query_walks_past_candidates_without_the_phrase(engineer, library):
    """R-KB-1: a page (``first``) checks the phrase lazily on the ranked candidates; candidates
    holding the pairs out of order, ranked higher, are skipped, never cut the page short, and
    the page is the full check's first rows."""
    for n in range(25):  # every pair of 能耗管理 in the title, never in order: ranked first
        publish(engineer, title=f"能耗与耗管及管理{n}", body="正文")
    body_only = publish(engineer, title="平台介绍", body="园区能耗管理。")
    everything = titles(article_search(Article.objects.all(), "能耗管理"))
    assert everything == ["园区能耗管理平台", body_only.title]
    for first in (1, 2, 21):
        page = titles(article_search(Article.objects.all(), "能耗管理", first=first))
        assert page == everything[:first]
    from knowledge.selectors import search_page

    hits = search_page(engineer, q="能耗管理")["hits"]
    assert [hit.article.title for hit in hits] == everything


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index exists on PostgreSQL only")
def test_r_kb_1_a_page_of_a_longer_query_reads_the_gin_index_not_the_table(engineer, library):
    queryset = article_search(Article.objects.visible_to(engineer), "能耗管理", first=21)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = json.loads(queryset.explain(format="json"))

    def walk(node):
        yield node
        for child in node.get("Plans", []):
            yield from walk(child)

    nodes = list(walk(plan[0]["Plan"]))
    assert any(n.get("Index Name") == "kb_article_search" for n in nodes), nodes
    assert not any(
        n["Node Type"] == "Seq Scan" and n.get("Relation Name") == "knowledge_article" for n in nodes
    )
    # the phrase is a filter above the ranked candidates, under the page's LIMIT
    assert any("ts_match_vq" in n.get("Filter", "") and n["Node Type"] == "Subquery Scan" for n in nodes)


def test_r_kb_1_search_page_marks_hits_and_lists_customers_by_company_name(client, engineer, team, library):
    CustomerFactory(name="苏州精密制造有限公司", team=team)
    client.force_login(engineer)
    response = client.get(reverse("knowledge:search"), {"q": "制造"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<mark>制造</mark>" in body
    assert "苏州精密制造有限公司" in body  # the same search serves customers by company name


# --- rules and visibility -----------------------------------------------------------------------


def test_r_kb_1_a_solution_case_names_industry_and_outcome(engineer):
    with pytest.raises(DomainError) as refused:
        services.article_create(actor=engineer, data={"kind": ArticleKind.SOLUTION_CASE, "title": "案例"})
    assert {"industry", "outcome"} <= set(refused.value.fields)


def test_r_kb_1_industry_news_needs_its_source(engineer, client_for):
    response = client_for(engineer).post(
        "/api/v1/knowledge-articles/", {"kind": "industry_news", "title": "新闻"}, format="json"
    )
    assert response.status_code == 400 and "source" in response.json()["fields"]


def test_r_kb_1_team_articles_stay_in_the_team_and_drafts_with_their_owner(engineer, other_engineer):
    team_article = publish(engineer, title="团队内部经验", visibility=Visibility.TEAM)
    draft = services.article_create(actor=engineer, data={"kind": ArticleKind.PRODUCT, "title": "草稿"})
    company = publish(engineer, title="公司产品手册")
    seen = set(Article.objects.visible_to(other_engineer))
    assert company in seen and team_article not in seen and draft not in seen
    assert {team_article, draft, company} <= set(Article.objects.visible_to(engineer))


def test_r_kb_1_only_the_owner_or_the_teams_manager_edits(engineer, other_engineer, manager, client_for):
    article = publish(engineer, title="产品知识")
    with pytest.raises(NotAllowed):
        services.article_update(actor=other_engineer, article=article, data={"title": "x"})
    response = client_for(other_engineer).patch(
        f"/api/v1/knowledge-articles/{article.pk}/", {"title": "x"}, format="json"
    )
    assert response.status_code == 403
    services.article_update(actor=manager, article=article, data={"summary": "经理补充"})


def test_r_kb_1_every_save_is_a_version(engineer):
    article = publish(engineer, title="v1")
    article = services.article_update(
        actor=engineer, article=article, data={"title": "v2"}, expected_version=article.version
    )
    assert article.version == 3  # created, published, edited
    assert [row.title for row in article.history.order_by("history_date")][-1] == "v2"
    with pytest.raises(DomainError) as stale:
        services.article_update(actor=engineer, article=article, data={"title": "v3"}, expected_version=1)
    assert stale.value.code == "stale"


def test_r_kb_1_people_without_a_role_see_nothing(make_user, team, engineer, client):
    publish(engineer, title="公司产品手册")
    nobody = make_user(team=team, username="nobody")
    assert not Article.objects.visible_to(nobody).exists()
    client.force_login(nobody)
    assert client.get(reverse("knowledge:search")).status_code == 403


def test_r_kb_1_api_search_answers_ranked_hits(engineer, client_for, library):
    response = client_for(engineer).get("/api/v1/knowledge-articles/search/", {"q": "能耗"})
    assert response.status_code == 200
    hits = response.json()
    assert {h["title"] for h in hits} == {"离散制造MES方案", "园区能耗管理平台"}
    assert all("<mark>" in h["title_html"] + h["snippet_html"] for h in hits)


def test_r_kb_1_web_form_errors_instead_of_500(engineer, client):
    client.force_login(engineer)
    response = client.post(
        reverse("knowledge:create"), {"kind": "solution_case", "title": "案例", "visibility": "company"}
    )
    assert response.status_code == 200
    assert "industry" in response.context["form"].errors


def test_r_kb_1_publishing_needs_content(engineer):
    article = services.article_create(actor=engineer, data={"kind": ArticleKind.PRODUCT, "title": "空"})
    with pytest.raises(DomainError):
        services.article_move(actor=engineer, article=article, move="publish")
    assert Article.objects.get(pk=article.pk).status == ArticleStatus.DRAFT


def test_r_kb_1_a_sales_rep_reads_and_writes(sales_rep):
    assert Role.SALES_REP in sales_rep.roles
    article = publish(sales_rep, title="客户常见问题")
    assert article.status == ArticleStatus.PUBLISHED
