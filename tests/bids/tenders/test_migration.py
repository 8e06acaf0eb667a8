"""R-KB-1, R-BID-3: the bids' defence answer library moves into the knowledge base (bids
migrations 0012, 0013): every library answer becomes a published, company-wide reusable bid
answer with its owner, product, industry, version, dates, history and search keys, and the
questions copied from it (their history too) link to its article."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from presales.core.roles import Role
from tests.factories import OpportunityFactory, TeamFactory, UserFactory

BEFORE = [("bids", "0011_risks")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def back_to_latest():
    yield
    _migrate(_latest())


@pytest.mark.django_db(transaction=True)
def test_r_bid_3_library_answers_become_knowledge_articles_and_links_survive(back_to_latest):
    # given (written with today's models) people and a bid, then the library of its time
    team = TeamFactory(name="East")
    owner = UserFactory(roles=[Role.PRESALES_MANAGER], team=team, username="owner")
    creator = UserFactory(roles=[Role.PRESALES_ENGINEER], team=team, username="creator")
    opportunity = OpportunityFactory(team=team, presales_owner=creator)
    from bids.models import Bid

    bid = Bid.objects.create(opportunity=opportunity, summary="投標文件", created_by=creator)
    old = _migrate(BEFORE)
    DefenceAnswer = old.get_model("bids", "DefenceAnswer")
    History = old.get_model("bids", "HistoricalDefenceAnswer")
    DefenceQuestion = old.get_model("bids", "DefenceQuestion")
    QuestionHistory = old.get_model("bids", "HistoricalDefenceQuestion")
    written = timezone.now() - timedelta(days=30)
    long_question = "系統如何" * 60 + "？"
    owned = DefenceAnswer.objects.create(
        product="智慧電錶",
        industry="manufacturing",
        question="交期多久？",
        answer="三個月。",
        owner_id=owner.pk,
        version=2,
    )
    DefenceAnswer.objects.filter(pk=owned.pk).update(
        created_at=written, updated_at=written + timedelta(days=1)
    )
    for version, kind, answer, when in (
        (1, "+", "兩個月。", written),
        (2, "~", "三個月。", written + timedelta(days=1)),
    ):
        History.objects.create(
            id=owned.pk,
            created_at=written,
            version=version,
            product="智慧電錶",
            industry="manufacturing",
            question="交期多久？",
            answer=answer,
            owner_id=owner.pk,
            history_date=when,
            history_type=kind,
            history_user_id=owner.pk,
        )
    ownerless = DefenceAnswer.objects.create(question=long_question, answer="微服務。")
    History.objects.create(
        id=ownerless.pk,
        created_at=ownerless.created_at,
        question=long_question,
        answer="微服務。",
        history_date=ownerless.created_at,
        history_type="+",
        history_user_id=creator.pk,
    )
    copied = DefenceQuestion.objects.create(
        bid_id=bid.pk, question="交期？", answer="三個月。", status="ready", from_library_id=owned.pk
    )
    QuestionHistory.objects.create(
        id=copied.pk,
        created_at=copied.created_at,
        bid_id=bid.pk,
        question="交期？",
        answer="三個月。",
        status="ready",
        from_library_id=owned.pk,
        history_date=copied.created_at,
        history_type="~",
    )
    own_words = DefenceQuestion.objects.create(
        bid_id=bid.pk, question="保固？", answer="三年。", status="ready"
    )

    # when the database is migrated
    _migrate(_latest())

    # then each library answer is a published, company-wide reusable bid answer
    from bids.models import DefenceQuestion as Question
    from knowledge.models import Article
    from knowledge.search import article_search

    articles = {a.body: a for a in Article.objects.all()}
    assert set(articles) == {"三個月。", "微服務。"}
    first, second = articles["三個月。"], articles["微服務。"]
    assert (first.kind, first.status, first.visibility, first.team_id) == (
        "bid_answer",
        "published",
        "company",
        team.pk,
    )
    assert (first.question, first.title, first.product, first.industry) == (
        "交期多久？",
        "交期多久？",
        "智慧電錶",
        "manufacturing",
    )
    assert (first.owner_id, first.version, first.created_at, first.published_at) == (
        owner.pk,
        2,
        written,
        written,
    )
    # and the ownerless one is owned by whoever created it, its long question kept whole
    assert second.owner_id == creator.pk and second.question == long_question and len(second.title) == 200
    # and the history is the article's versions
    assert [(h.version, h.history_type, h.body) for h in first.history.order_by("history_date")] == [
        (1, "+", "兩個月。"),
        (2, "~", "三個月。"),
    ]
    assert second.history.count() == 1
    # and the copied question (and its history) links to the article; the other stays unlinked
    assert Question.objects.get(pk=copied.pk).from_library_id == first.pk
    assert Question.history.get(id=copied.pk).from_library_id == first.pk
    assert Question.objects.get(pk=own_words.pk).from_library_id is None
    # and the knowledge base's search finds them (a two-character Chinese query)
    assert list(article_search(Article.objects.all(), "交期")) == [first]
    assert list(article_search(Article.objects.all(), "電錶")) == [first]
