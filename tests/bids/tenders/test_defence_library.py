"""R-BID-3, R-KB-1: one answer library. A bid's defence question picks from the knowledge
base's published reusable bid answers the reader may see (its search, Chinese of two
characters included), those of the opportunity's products and industry first; who writes a
bid answer is one rule on every route."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bids.biddocs import selectors
from bids.biddocs import services as documents
from bids.models import DefenceQuestion
from knowledge import services as knowledge
from knowledge.models import Article
from presales.core.errors import NotAllowed
from tests.bids.tenders.test_biddocs import _bid, _with_content
from tests.proposals.solutions.factories import QuoteLineFactory

pytestmark = pytest.mark.django_db


def _answer(actor, question, answer, **data):
    return knowledge.bid_answer_save(actor=actor, data={"question": question, "answer": answer, **data})


@pytest.fixture
def question(engineer, manager, opportunity):
    """A defence question of a bid whose customer is in manufacturing and whose approved
    solution quotes an "MES 6.0 licence"."""
    _with_content(opportunity, QuoteLineFactory, item="MES 6.0 licence")
    bid = _bid(engineer, manager, opportunity)
    return documents.question_save(actor=engineer, bid=bid, data={"question": "交期多久？"})


def _picks(user, question, q=""):
    question = DefenceQuestion.objects.select_related("bid__opportunity__customer").get(pk=question.pk)
    return selectors.library_picks(user, question, q=q)


def test_r_bid_3_picker_ranks_the_opportunitys_product_and_industry_first(
    engineer, manager, other_engineer, question
):
    # given answers of the quoted product and the customer's industry, of the industry only,
    # of neither (the newest), a draft and another team's team-only answer
    fitting = _answer(manager, "交期？", "MES 三個月交付。", product="MES", industry="manufacturing")
    industry = _answer(manager, "保固？", "三年。", industry="manufacturing")
    other = _answer(manager, "交期要求？", "視乎範圍。", product="CRM", industry="finance")
    knowledge.article_create(actor=manager, data={"kind": "bid_answer", "title": "交期草稿", "body": "x"})
    hidden = _answer(other_engineer, "交期西區？", "西區。")
    knowledge.article_update(actor=other_engineer, article=hidden, data={"visibility": "team"})

    # when the engineer opens the picker
    picks = _picks(engineer, question)

    # then the product and industry fit rank first, each saying why; no draft, nothing hidden
    assert [p.article.pk for p in picks] == [fitting.pk, industry.pk, other.pk]
    assert len(picks[0].reasons) == 2 and "MES" in picks[0].reasons[0]
    assert picks[1].reasons and picks[2].reasons == []


def test_r_bid_3_picker_searches_with_the_knowledge_base_search(engineer, manager, question):
    """A two-character Chinese query finds the answers holding it (the knowledge base's
    bigram search), still ranked by fit."""
    plain = _answer(manager, "交期要求？", "視乎範圍。", product="CRM")
    fitting = _answer(manager, "如何保證交期", "MES 三個月。", product="MES")
    _answer(manager, "保固？", "三年。", product="MES")
    picks = _picks(engineer, question, q="交期")
    assert [p.article.pk for p in picks] == [fitting.pk, plain.pk]
    assert "<mark>交期</mark>" in picks[0].question_html
    assert _picks(engineer, question, q="沒有這個") == []


def test_r_bid_3_picker_counts_reuse_and_copying_records_the_source(client, engineer, manager, question):
    answer = _answer(manager, "交期？", "三個月。", product="MES")
    client.force_login(engineer)

    # the picker page (without JavaScript) and its htmx partial list the answer
    url = reverse("bids:defence-picker", args=[question.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="library-pick"' in page and "used for 0 questions" in page
    partial = client.get(url, {"q": "交期"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and f'data-article="{answer.pk}"' in partial

    # using it copies the answer and records where it came from
    response = client.post(
        reverse("bids:defence-action", args=[question.pk, "use-answer"]), {"answer": answer.pk}
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.answer, question.from_library_id) == ("三個月。", answer.pk)
    assert "used for 1 question" in client.get(url).content.decode()


def test_r_bid_3_picker_is_the_bid_readers_only(client, other_engineer, question):
    client.force_login(other_engineer)
    assert client.get(reverse("bids:defence-picker", args=[question.pk])).status_code == 404


@pytest.mark.parametrize("route", ["service", "api", "web"])
def test_r_bid_3_only_presales_write_bid_answers_on_every_route(client, client_for, sales_rep, route):
    """R-BID-3: the library's editors are presales staff, also through the knowledge base's
    own pages and API; a sales rep still writes other knowledge."""
    data = {"kind": "bid_answer", "title": "交期？", "body": "三個月。"}
    if route == "service":
        with pytest.raises(NotAllowed):
            knowledge.article_create(actor=sales_rep, data=data)
    elif route == "api":
        response = client_for(sales_rep).post(reverse("knowledge-article-list"), data, format="json")
        assert response.status_code == 403
    else:
        client.force_login(sales_rep)
        client.post(reverse("knowledge:create"), {**data, "visibility": "company"})
    assert not Article.objects.filter(kind="bid_answer").exists()
    knowledge.article_create(actor=sales_rep, data={**data, "kind": "project_experience"})


def test_r_bid_3_a_long_question_is_kept_whole(manager):
    question = "如何" * 150 + "？"
    article = _answer(manager, question, "答案。")
    assert len(article.title) == 200 and article.title.endswith("…")
    assert article.question == question
    article = knowledge.bid_answer_save(actor=manager, data={"question": "短問題？"}, article=article)
    assert (article.title, article.summary, article.question) == ("短問題？", "", "短問題？")


def test_r_bid_3_the_desk_offers_the_picker_and_updating_the_source(client, engineer, manager, question):
    """The bids tab: each question opens its picker; one copied from the library offers to
    update that answer when saving to the library."""
    answer = _answer(manager, "交期？", "三個月。")
    documents.question_use_answer(actor=engineer, question=question, answer=answer)
    client.force_login(engineer)
    page = client.get(question.bid.opportunity.get_absolute_url()).content.decode()
    assert 'data-testid="answer-picker"' in page
    assert reverse("bids:defence-picker", args=[question.pk]) in page
    assert 'name="update_original"' in page
    assert f"{reverse('knowledge:search')}?kind=bid_answer" in page
