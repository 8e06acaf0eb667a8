"""The solution editor's case suggestions rank the knowledge base's solution cases with the won
opportunities by industry and size, and explain the match (R-SOL-4, R-KB-1); a case whose
customer did not consent is suggested without naming the customer."""

from __future__ import annotations

import pytest

from knowledge import services
from knowledge.choices import ArticleKind, CaseOutcome, Visibility
from opportunities.choices import Stage
from proposals.solutions.selectors import success_cases
from tests.factories import CustomerFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def opportunity(team, engineer, sales_rep):
    customer = CustomerFactory(team=team, industry="manufacturing", size_class="large")
    return OpportunityFactory(
        team=team,
        customer=customer,
        presales_owner=engineer,
        sales_owner=sales_rep,
        stage=Stage.SOLUTION,
        amount=1_000_000,
    )


def case(actor, **data):
    data = {"kind": ArticleKind.SOLUTION_CASE, "body": "案例正文", "outcome": CaseOutcome.WON, **data}
    article = services.article_create(actor=actor, data=data)
    return services.article_move(actor=actor, article=article, move="publish")


def test_r_sol_4_knowledge_base_cases_are_ranked_and_explained(engineer, team, opportunity):
    # given a case of the same industry and size, one of another size, one of another industry
    best = case(engineer, title="汽车零部件MES", industry="manufacturing", size_class="large")
    smaller = case(engineer, title="小厂排产", industry="manufacturing", size_class="small")
    case(engineer, title="银行核心", industry="finance", size_class="large")
    # when
    cases = success_cases(engineer, opportunity)
    # then
    titles = [c.title for c in cases]
    assert titles.index(best.title) < titles.index(smaller.title)
    assert "银行核心" not in titles
    (top,) = [c for c in cases if c.article == best]
    assert "knowledge-base case" in top.reasons and "same size (Large)" in top.reasons
    assert top.customer == ""  # no consent, no source project: the customer is not named


def test_r_sol_4_a_case_documented_from_a_won_project_replaces_the_bare_project(engineer, team, opportunity):
    won = OpportunityFactory(
        team=team,
        stage=Stage.HANDOFF,
        amount=900_000,
        customer=CustomerFactory(team=team, industry="manufacturing", size_class="large", name="华东精密"),
    )
    documented = case(
        engineer,
        title="华东精密案例",
        industry="manufacturing",
        size_class="large",
        opportunity=won,
        customer_consent=True,
    )
    cases = success_cases(engineer, opportunity)
    assert [c.article for c in cases].count(documented) == 1
    assert won not in [c.opportunity for c in cases]  # listed once, as its case
    (found,) = [c for c in cases if c.article == documented]
    assert found.customer == "华东精密" and "documented from a won project" in found.reasons


def test_r_sol_4_team_cases_of_another_team_are_not_suggested(engineer, other_engineer, opportunity):
    case(
        other_engineer,
        title="别队案例",
        industry="manufacturing",
        size_class="large",
        visibility=Visibility.TEAM,
    )
    assert "别队案例" not in [c.title for c in success_cases(engineer, opportunity)]
