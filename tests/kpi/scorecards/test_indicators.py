"""The presales indicators' arithmetic on hand-built records (R-KPI-1): no data is missing (never
0), division by zero is no data, ties, partial periods, a person who changed team, a project
member counted like an owner, and a constant number of queries whatever the number of people."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpi.indicators import compute_all, get_indicator, indicators
from kpi.periods import Period
from tests.factories import TeamFactory, UserFactory
from tests.kpi.scorecards.conftest import (
    NOVEMBER,
    at,
    closed_opportunity,
    finished_review,
    survey_answer,
    training_record,
)

pytestmark = pytest.mark.django_db
KEYS = ["success_rate", "customer_satisfaction", "solution_quality", "collaboration", "training"]


def test_the_presales_indicators_are_registered_with_definitions_R_KPI_1():
    # given / when
    found = {i.key: i for i in indicators("presales")}
    # then
    assert set(KEYS) <= set(found)
    for key in KEYS:
        assert str(found[key].definition)
        assert found[key].rule == "R-KPI-1"


def test_an_empty_period_is_no_data_not_zero_R_KPI_1(engineer):
    # given: nothing at all in November
    # when
    values = compute_all(KEYS, [engineer.pk], NOVEMBER)
    # then: nobody is in any result (shown as "no data")
    assert all(values[key] == {} for key in KEYS)


def test_success_rate_is_won_over_followed_closed_in_the_period_R_KPI_1(team, engineer):
    # given: 1 won, 2 lost/abandoned in November; one won in October; one still open
    closed_opportunity(team=team, owner=engineer, stage="handoff", closed=at(3))
    closed_opportunity(team=team, owner=engineer, stage="lost", closed=at(10))
    closed_opportunity(team=team, owner=engineer, stage="abandoned", closed=at(30))
    closed_opportunity(team=team, owner=engineer, stage="handoff", closed=at(31, 10))
    from tests.factories import OpportunityFactory

    OpportunityFactory(team=team, presales_owner=engineer, stage="demo")
    # when
    value = get_indicator("success_rate").compute([engineer.pk], NOVEMBER)[engineer.pk]
    # then
    assert (value.numerator, value.denominator, value.value) == (Decimal(1), Decimal(3), Decimal("33.33"))


def test_success_rate_with_nothing_closed_is_no_data_division_by_zero_R_KPI_1(team, engineer):
    # given: only open opportunities
    from tests.factories import OpportunityFactory

    OpportunityFactory(team=team, presales_owner=engineer, stage="bid")
    # when / then
    assert get_indicator("success_rate").compute([engineer.pk], NOVEMBER) == {}


def test_success_rate_counts_a_presales_member_like_the_owner_and_once_R_KPI_1(team, engineer, make_user):
    # given: the engineer owns one won deal, assists (project member) on one lost deal, and is both
    # owner and member of another won deal; a sales member of the team is not presales
    helper = make_user("presales_engineer", team=team)
    closed_opportunity(team=team, owner=engineer, stage="handoff", closed=at(2))
    closed_opportunity(team=team, owner=helper, stage="lost", closed=at(4), member=engineer)
    closed_opportunity(
        team=team,
        owner=engineer,
        stage="handoff",
        closed=at(6),
        member=engineer,
        member_role="presales_owner",
    )
    closed_opportunity(
        team=team, owner=helper, stage="handoff", closed=at(8), member=engineer, member_role="delivery"
    )
    # when
    values = get_indicator("success_rate").compute([engineer.pk, helper.pk], NOVEMBER)
    # then: the engineer followed 3 (won 2); the helper owned 2 (won 1)
    assert (values[engineer.pk].numerator, values[engineer.pk].denominator) == (Decimal(2), Decimal(3))
    assert values[engineer.pk].value == Decimal("66.67")
    assert (values[helper.pk].numerator, values[helper.pk].denominator) == (Decimal(1), Decimal(2))


def test_ties_give_equal_values_R_KPI_1(team, engineer, other_engineer, other_team):
    # given: both won one of two
    for person, person_team in ((engineer, team), (other_engineer, other_team)):
        closed_opportunity(team=person_team, owner=person, stage="handoff", closed=at(5))
        closed_opportunity(team=person_team, owner=person, stage="lost", closed=at(6))
    # when
    values = get_indicator("success_rate").compute([engineer.pk, other_engineer.pk], NOVEMBER)
    # then
    assert values[engineer.pk].value == values[other_engineer.pk].value == Decimal("50.00")


def test_a_running_period_counts_to_date_R_KPI_1(team, engineer):
    # given: "today" is 15 November; one deal won on the 3rd
    closed_opportunity(team=team, owner=engineer, stage="handoff", closed=at(3))
    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 11, 15)):
        # when
        partial = NOVEMBER.is_partial()
        values = get_indicator("success_rate").compute([engineer.pk], NOVEMBER)
    # then
    assert partial
    assert values[engineer.pk].value == Decimal("100.00")


def test_indicators_follow_the_person_who_changed_team_mid_period_R_KPI_1(team, engineer):
    # given: a deal won and a satisfaction answer while on the first team, then a move
    closed_opportunity(team=team, owner=engineer, stage="handoff", closed=at(3))
    survey_answer(person=engineer, measure="satisfaction", score=4, answered=at(4), team=team)
    new_team = TeamFactory(name="North Presales")
    engineer.team = new_team
    engineer.save()
    closed_opportunity(team=new_team, owner=engineer, stage="lost", closed=at(20))
    survey_answer(person=engineer, measure="satisfaction", score=2, answered=at(21), team=new_team)
    # when
    values = compute_all(["success_rate", "customer_satisfaction"], [engineer.pk], NOVEMBER)
    # then: both halves of the month count for the person
    assert values["success_rate"][engineer.pk].denominator == Decimal(2)
    assert values["customer_satisfaction"][engineer.pk].value == Decimal("3.00")
    assert values["customer_satisfaction"][engineer.pk].count == 2


def test_customer_satisfaction_and_collaboration_average_their_own_measure_R_KPI_1(engineer):
    # given
    survey_answer(person=engineer, measure="satisfaction", score=5, answered=at(1))
    survey_answer(person=engineer, measure="satisfaction", score=4, answered=at(30))
    survey_answer(person=engineer, measure="satisfaction", score=1, answered=at(1, 12))  # December
    survey_answer(person=engineer, measure="collaboration", score=3, answered=at(9))
    # when
    values = compute_all(["customer_satisfaction", "collaboration"], [engineer.pk], NOVEMBER)
    # then
    satisfaction = values["customer_satisfaction"][engineer.pk]
    assert (satisfaction.value, satisfaction.count) == (Decimal("4.50"), 2)
    assert values["collaboration"][engineer.pk].value == Decimal("3.00")


def test_solution_quality_averages_finished_reviews_of_the_authors_versions_R_KPI_1(team, engineer):
    # given: two reviews in November (averages 4.5 and 3), one withdrawn, one of another kind
    finished_review(author=engineer, team=team, finished=at(5), scores=[{"a": 5, "b": 4}, {"a": 5, "b": 4}])
    finished_review(author=engineer, team=team, finished=at(6), scores=[{"a": 3, "b": 3}], status="rejected")
    finished_review(author=engineer, team=team, finished=at(7), scores=[{"a": 1}], status="cancelled")
    finished_review(author=engineer, team=team, finished=at(8), scores=[{"a": 1}], kind="initiation")
    # when
    value = get_indicator("solution_quality").compute([engineer.pk], NOVEMBER)[engineer.pk]
    # then
    assert (value.value, value.count) == (Decimal("3.75"), 2)


def test_training_adds_hours_taken_and_given_R_KPI_1(engineer):
    # given
    training_record(person=engineer, hours="6", held_on=date(2026, 11, 2), exam_score=Decimal("90"))
    training_record(person=engineer, hours="2.5", held_on=date(2026, 11, 20), direction="given")
    training_record(person=engineer, hours="8", held_on=date(2026, 12, 1))
    # when
    value = get_indicator("training").compute([engineer.pk], NOVEMBER)[engineer.pk]
    # then: 8.5 hours, 6 taken and 2.5 given
    assert (value.value, value.numerator, value.denominator, value.count) == (
        Decimal("8.50"),
        Decimal("6.00"),
        Decimal("2.50"),
        2,
    )


def test_records_links_name_the_person_and_the_period_R_KPI_1(engineer):
    # given / when
    success = get_indicator("success_rate").records_url(engineer.pk, NOVEMBER)
    surveys = get_indicator("customer_satisfaction").records_url(engineer.pk, NOVEMBER)
    # then
    assert f"presales_person={engineer.pk}" in success and "closed_after=2026-11-01" in success
    assert "closed_before=2026-11-30" in success
    assert surveys.startswith("/kpi/surveys/?") and f"rated_user={engineer.pk}" in surveys


def test_the_success_rate_records_filter_lists_what_was_counted_R_KPI_1(client, team, engineer, make_user):
    # given: one owned, one assisted, one outside the period
    helper = make_user("presales_engineer", team=team)
    owned = closed_opportunity(team=team, owner=engineer, stage="handoff", closed=at(2))
    assisted = closed_opportunity(team=team, owner=helper, stage="lost", closed=at(4), member=engineer)
    closed_opportunity(team=team, owner=engineer, stage="lost", closed=at(4, 10))
    client.force_login(engineer)
    # when
    response = client.get(get_indicator("success_rate").records_url(engineer.pk, NOVEMBER))
    # then
    assert response.status_code == 200
    assert {o.pk for o in response.context["filter"].qs} == {owned.pk, assisted.pk}


@pytest.mark.parametrize("key", KEYS)
def test_each_indicator_costs_one_query_whatever_the_number_of_people_R_KPI_1(key, team):
    """Pinned: one aggregate query for 2 people and for 12, with data for each."""
    people = [UserFactory(roles=["presales_engineer"], team=team) for _ in range(12)]
    for person in people:
        closed_opportunity(team=team, owner=person, stage="handoff", closed=at(3))
        survey_answer(person=person, measure="satisfaction", score=4, answered=at(3))
        survey_answer(person=person, measure="collaboration", score=4, answered=at(3))
        training_record(person=person, hours="1", held_on=date(2026, 11, 3))
        finished_review(author=person, team=team, finished=at(3), scores=[{"a": 4}])
    indicator = get_indicator(key)
    counts = []
    for size in (2, 12):
        with CaptureQueriesContext(connection) as captured:
            values = indicator.compute([p.pk for p in people[:size]], NOVEMBER)
        counts.append(len(captured))
        assert len(values) == size
    assert counts == [1, 1]


def test_the_year_and_quarter_periods_sum_their_months_R_KPI_1(team, engineer):
    # given
    closed_opportunity(team=team, owner=engineer, stage="handoff", closed=at(3, 10))
    closed_opportunity(team=team, owner=engineer, stage="lost", closed=at(3, 12))
    # when
    quarter = get_indicator("success_rate").compute([engineer.pk], Period.parse("2026-Q4"))[engineer.pk]
    year = get_indicator("success_rate").compute([engineer.pk], Period.parse("2026"))[engineer.pk]
    # then
    assert quarter.denominator == year.denominator == Decimal(2)
