"""The analytics' arithmetic on hand-built data (R-KPI-3): funnel in CNY, conversion by stage
(a skipped stage counts as reaching a later one), win rate, cycle time, weighted forecast,
trends, overdue timers and review turnaround in working hours; empty periods give "no data"
(None), never a division by zero; a team manager sees only the team's figures."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from kpi.analytics import selectors
from kpi.analytics.selectors import STAGE_WEIGHTS, Filters
from kpi.periods import Period
from opportunities.models import Opportunity
from presales.sla.models import Timer
from reviews.models import Review, ReviewTask
from tests.factories import ReviewChainFactory
from tests.kpi.analytics.conftest import PERIOD, at, place

pytestmark = pytest.mark.django_db


def by_stage(rows):
    return {row["stage"]: row for row in rows}


def test_r_kpi_3_funnel_counts_open_opportunities_per_stage_in_cny(general_manager, team):
    # given: CNY 1000, USD 100 at 7.1, EUR 50 without a rate (left out, counted), a closed one
    place(team, stage="solution", amount="1000.00")
    place(team, stage="solution", amount="100.00", currency="USD", rate="7.100000")
    place(team, stage="solution", amount="50.00", currency="EUR")
    place(team, stage="handoff", amount="9999.00", closed=at(5))
    # when
    rows = by_stage(selectors.pipeline_funnel(general_manager, Filters(PERIOD)))
    # then
    assert rows["solution"]["count"] == 3
    assert rows["solution"]["amount_cny"] == Decimal("1710.00")
    assert rows["solution"]["unconverted"] == 1
    assert rows["lead_intake"]["count"] == 0 and rows["lead_intake"]["amount_cny"] == Decimal("0.00")
    assert "handoff" not in rows


def test_r_kpi_3_funnel_of_a_team_manager_is_the_team_only(manager, team, other_team):
    # given
    place(team, stage="demo")
    place(other_team, stage="demo")
    place(other_team, stage="bid")
    # when
    rows = by_stage(selectors.pipeline_funnel(manager, Filters(PERIOD)))
    # then
    assert rows["demo"]["count"] == 1
    assert rows["bid"]["count"] == 0


def test_r_kpi_3_filters_team_person_and_industry(general_manager, team, other_team):
    # given
    mine = place(team, stage="demo", industry="finance")
    place(team, stage="demo", industry="government")
    place(other_team, stage="demo", industry="finance")

    # when / then
    def count(**kw):
        return by_stage(selectors.pipeline_funnel(general_manager, Filters(PERIOD, **kw)))["demo"]["count"]

    assert count() == 3
    assert count(team_id=team.pk) == 2
    assert count(team_id=team.pk, industry="finance") == 1
    assert count(owner_id=mine.presales_owner_id) == 1
    assert count(owner_id=mine.sales_owner_id) == 1


def test_r_kpi_3_conversion_counts_later_stages_reached_a_skipped_stage_included(general_manager, team):
    # given
    place(
        team,
        stage="solution",
        path=(("lead_intake", "needs_analysis", at(5)), ("needs_analysis", "solution", at(10))),
    )
    # demo -> contract skips the bid stage: the demo still converted
    place(team, stage="contract", path=(("review", "demo", at(3)), ("demo", "contract", at(20))))
    place(team, stage="lost", path=(("solution", "review", at(2)), ("review", "lost", at(8))))
    # entered before the period: not counted
    place(
        team,
        stage="solution",
        path=(("lead_intake", "needs_analysis", at(20, 9)), ("needs_analysis", "solution", at(25, 9))),
    )
    # when
    rows = by_stage(selectors.conversion_by_stage(general_manager, Filters(PERIOD)))
    # then
    assert (rows["needs_analysis"]["entered"], rows["needs_analysis"]["advanced"]) == (1, 1)
    assert rows["needs_analysis"]["rate"] == Decimal("1.0000")
    assert (rows["solution"]["entered"], rows["solution"]["advanced"]) == (1, 0)
    assert rows["solution"]["rate"] == Decimal("0.0000")
    assert (rows["demo"]["entered"], rows["demo"]["advanced"]) == (1, 1)
    assert (rows["review"]["entered"], rows["review"]["advanced"]) == (1, 0)
    assert rows["bid"]["entered"] == 0 and rows["bid"]["rate"] is None


def test_r_kpi_3_conversion_of_lead_intake_reads_the_creations(general_manager, team):
    # given: two created in the period, one moved on
    place(team, stage="needs_analysis", created=at(2), path=(("lead_intake", "needs_analysis", at(4)),))
    place(team, stage="lead_intake", created=at(3))
    # when
    row = by_stage(selectors.conversion_by_stage(general_manager, Filters(PERIOD)))["lead_intake"]
    # then
    assert (row["entered"], row["advanced"], row["rate"]) == (2, 1, Decimal("0.5000"))


def test_r_kpi_3_win_rate_is_won_over_closed_in_the_period(general_manager, team, other_team):
    # given
    place(team, stage="handoff", amount="300.00", closed=at(5))
    place(team, stage="lost", closed=at(6))
    place(team, stage="abandoned", closed=at(7))
    place(other_team, stage="handoff", amount="100.00", currency="USD", rate="7.000000", closed=at(8))
    place(team, stage="handoff", closed=at(5, 9))  # the month before
    # when
    rows = selectors.win_rate(general_manager, Filters(PERIOD))
    # then
    by_team = {row["team_id"]: row for row in rows}
    assert (by_team[team.pk]["won"], by_team[team.pk]["closed"]) == (1, 3)
    assert by_team[team.pk]["rate"] == Decimal("0.3333")
    assert by_team[other_team.pk]["won_cny"] == Decimal("700.00")
    total = rows[-1]
    assert total["team_id"] is None
    assert (total["won"], total["closed"], total["rate"]) == (2, 4, Decimal("0.5000"))
    assert total["won_cny"] == Decimal("1000.00")


def test_r_kpi_3_an_empty_period_gives_no_rate_not_a_division_by_zero(general_manager, team):
    # given: nothing closed, nothing entered, nothing decided
    place(team, stage="demo")
    filters = Filters(Period.parse("2026-03"))
    # when
    win = selectors.win_rate(general_manager, filters)
    conversion = selectors.conversion_by_stage(general_manager, filters)
    cycle = selectors.cycle_time(general_manager, filters)
    trend = selectors.trends(general_manager, filters)
    turnaround = selectors.review_turnaround(general_manager, filters)
    # then
    assert win == [win[-1]] and win[-1]["rate"] is None and win[-1]["closed"] == 0
    assert all(row["rate"] is None for row in conversion)
    assert all(row["avg_days"] is None and row["count"] == 0 for row in cycle)
    assert len(trend) == 12 and all(row["rate"] is None for row in trend)
    assert turnaround == []


def test_r_kpi_3_cycle_time_averages_the_stays_that_ended_in_the_period(general_manager, team):
    # given: lead intake 2 and 4 days (from the creation), needs analysis 4 days
    place(
        team,
        stage="solution",
        created=at(1),
        path=(("lead_intake", "needs_analysis", at(3)), ("needs_analysis", "solution", at(7))),
    )
    place(team, stage="needs_analysis", created=at(1), path=(("lead_intake", "needs_analysis", at(5)),))
    # a stay that ended the month before
    place(team, stage="needs_analysis", created=at(1, 8), path=(("lead_intake", "needs_analysis", at(1, 9)),))
    # when
    rows = by_stage(selectors.cycle_time(general_manager, Filters(PERIOD)))
    # then
    assert rows["lead_intake"]["count"] == 2
    assert rows["lead_intake"]["avg_days"] == Decimal("3.0")
    assert rows["lead_intake"]["median_days"] == Decimal("3.0")
    assert (rows["needs_analysis"]["count"], rows["needs_analysis"]["avg_days"]) == (1, Decimal("4.0"))
    assert rows["demo"]["avg_days"] is None


def test_r_kpi_3_forecast_weighs_open_amounts_by_stage_per_close_month(general_manager, team):
    # given
    place(team, stage="solution", amount="1000.00", expected_close=at(15).date())
    place(
        team,
        stage="contract",
        amount="100.00",
        currency="USD",
        rate="7.000000",
        expected_close=at(3, 11).date(),
    )
    place(team, stage="handoff", amount="5000.00", closed=at(2), expected_close=at(15).date())
    # when
    rows = {row["month"]: row for row in selectors.forecast(general_manager, Filters(PERIOD))}
    # then
    assert list(rows) == ["2026-10", "2026-11", "2026-12", "2027-01", "2027-02", "2027-03"]
    assert rows["2026-10"]["amount_cny"] == Decimal("1000.00")
    assert rows["2026-10"]["weighted_cny"] == Decimal("1000.00") * STAGE_WEIGHTS["solution"]
    assert rows["2026-11"]["weighted_cny"] == Decimal("700.00") * STAGE_WEIGHTS["contract"]
    assert rows["2026-12"]["count"] == 0


def test_r_kpi_3_trends_count_new_and_won_per_month(general_manager, team):
    # given
    place(team, stage="lead_intake", created=at(3))
    place(team, stage="handoff", created=at(3, 8), closed=at(9), amount="200.00")
    place(team, stage="lost", created=at(3, 8), closed=at(10))
    # when
    rows = {row["month"]: row for row in selectors.trends(general_manager, Filters(PERIOD))}
    # then
    assert next(iter(rows)) == "2025-11" and list(rows)[-1] == "2026-10"
    assert rows["2026-10"]["new"] == 1
    assert rows["2026-08"]["new"] == 2
    assert (rows["2026-10"]["won"], rows["2026-10"]["closed"], rows["2026-10"]["rate"]) == (
        1,
        2,
        Decimal("0.5000"),
    )
    assert rows["2026-10"]["won_cny"] == Decimal("200.00")


def _timer(owner, team, *, due):
    _timer.count = getattr(_timer, "count", 0) + 1
    return Timer.objects.create(
        kind="review_step",
        subject_type=ContentType.objects.get_for_model(Opportunity),
        subject_id=_timer.count,
        owner=owner,
        team=team,
        state="open",
        started_at=due - timedelta(days=2),
        due_at=due,
        policy={},
        policy_version=0,
    )


def test_r_kpi_3_overdue_timers_of_the_managed_team_only(manager, engineer, other_engineer, team, other_team):
    # given
    now = timezone.now()
    _timer(engineer, team, due=now - timedelta(days=1))
    _timer(engineer, team, due=now - timedelta(days=3))
    _timer(engineer, team, due=now + timedelta(days=1))  # not yet due
    _timer(other_engineer, other_team, due=now - timedelta(days=1))
    # when
    rows = selectors.overdue_timers(manager, Filters(PERIOD))
    # then
    assert [(row["owner_id"], row["count"]) for row in rows] == [(engineer.pk, 2)]


def test_r_kpi_3_review_turnaround_in_working_hours_per_approver(general_manager, manager, team, engineer):
    # given: opened Friday 09:00, decided Monday 09:00: 72 hours less the weekend = 24
    chain = ReviewChainFactory()
    review = Review.objects.create(
        content_type=ContentType.objects.get_for_model(Opportunity),
        object_id=1,
        kind="initiation",
        chain=chain,
        status="approved",
        author=engineer,
        started_by=engineer,
        team=team,
        subject_summary="x",
        started_at=at(23, hour=9),
        finished_at=at(26, hour=9),
    )
    ReviewTask.objects.create(
        review=review,
        step_order=1,
        step_name="Manager",
        mode="all",
        approver=manager,
        state="approved",
        opened_at=at(23, hour=9),
        decided_at=at(26, hour=9),
    )
    ReviewTask.objects.create(
        review=review,
        step_order=2,
        step_name="GM",
        mode="all",
        approver=general_manager,
        state="approved",
        opened_at=at(26, hour=9),
        decided_at=at(26, hour=15),
    )
    # when
    rows = {row["approver_id"]: row for row in selectors.review_turnaround(general_manager, Filters(PERIOD))}
    # then
    assert rows[manager.pk]["avg_hours"] == Decimal("24.0")
    assert rows[general_manager.pk]["median_hours"] == Decimal("6.0")
    assert rows[manager.pk]["count"] == 1


def test_r_kpi_3_the_selectors_refuse_nothing_but_show_nothing_to_an_engineer_outside(other_engineer, team):
    """Scoping: the selectors count only what the caller sees (the views refuse engineers)."""
    # given
    place(team, stage="demo")
    # when
    rows = by_stage(selectors.pipeline_funnel(other_engineer, Filters(PERIOD)))
    # then
    assert rows["demo"]["count"] == 0
