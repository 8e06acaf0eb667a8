"""The analytics' summary (R-KPI-3): rebuilt from the records, it gives the live selectors'
figures (the medians of several teams or months are combined, so they are compared for one
team and month), per team for a team manager; filtered by a person or an industry the charts
are computed live; the beat task rebuilds it."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from kpi.analytics import selectors, summary
from kpi.analytics.selectors import Filters
from kpi.analytics.tasks import refresh_analytics_summary_task
from kpi.models import AnalyticsSummary
from opportunities.models import Opportunity
from tests.kpi.analytics.conftest import PERIOD, at, place
from tests.kpi.analytics.test_selectors import _timer

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 11, 15, 12))
CHARTS = ("pipeline_funnel", "conversion_by_stage", "win_rate", "cycle_time", "forecast", "trends")


def world(team, other_team):
    place(
        team,
        stage="solution",
        amount="1000.00",
        created=at(1),
        expected_close=at(20).date(),
        path=(("lead_intake", "needs_analysis", at(3)), ("needs_analysis", "solution", at(7))),
    )
    place(
        team,
        stage="contract",
        amount="100.00",
        currency="USD",
        rate="7.000000",
        created=at(2),
        expected_close=at(5, 11).date(),
        path=(
            ("lead_intake", "needs_analysis", at(4)),
            ("needs_analysis", "demo", at(9)),
            ("demo", "contract", at(12)),
        ),
    )
    place(
        team,
        stage="lost",
        created=at(2),
        closed=at(10),
        path=(("lead_intake", "needs_analysis", at(6)), ("needs_analysis", "lost", at(10))),
    )
    place(
        other_team,
        stage="handoff",
        amount="500.00",
        created=at(1, 9),
        closed=at(8),
        path=(
            ("lead_intake", "needs_analysis", at(3, 9)),
            ("needs_analysis", "contract", at(2)),
            ("contract", "handoff", at(8)),
        ),
    )
    place(other_team, stage="demo", amount="50.00", currency="EUR", created=at(3))


def without_medians(rows):
    return [{k: v for k, v in row.items() if not k.startswith("median")} for row in rows]


@pytest.mark.parametrize("who", ["general_manager", "manager"])
def test_r_kpi_3_the_summary_gives_the_live_figures(request, team, other_team, who):
    # given
    user = request.getfixturevalue(who)
    world(team, other_team)
    live = {name: getattr(selectors, name)(user, Filters(PERIOD)) for name in CHARTS}
    assert selectors.summary_teams(user, Filters(PERIOD)) is selectors.LIVE
    # when
    summary.refresh_summary(now=NOW)
    # then
    assert selectors.summary_teams(user, Filters(PERIOD)) is not selectors.LIVE
    for name in CHARTS:
        assert without_medians(getattr(selectors, name)(user, Filters(PERIOD))) == without_medians(
            live[name]
        ), name


def test_r_kpi_3_a_team_manager_personally_on_another_teams_records_reads_the_same_live_and_summarised(
    manager, engineer, team, other_team
):
    """R-KPI-3: live, a team-scoped manager's charts count their teams' records only (the
    teams of ``chart_teams``), as the summary does, although they see another team's
    opportunity as its presales owner and own one of its timers."""
    # given
    world(team, other_team)
    won = place(
        other_team,
        stage="handoff",
        amount="700.00",
        created=at(2),
        closed=at(9),
        presales_owner=manager,
        path=(
            ("lead_intake", "needs_analysis", at(4)),
            ("needs_analysis", "contract", at(6)),
            ("contract", "handoff", at(9)),
        ),
    )
    open_one = place(
        other_team,
        stage="bid",
        amount="300.00",
        created=at(3),
        expected_close=at(25).date(),
        presales_owner=manager,
        path=(("lead_intake", "bid", at(5)),),
    )
    visible = Opportunity.objects.visible_to(manager).filter(pk__in=[won.pk, open_one.pk])
    assert visible.count() == 2
    now = timezone.now()
    _timer(engineer, team, due=now - timedelta(days=1))
    _timer(manager, other_team, due=now - timedelta(days=2))
    live = {name: getattr(selectors, name)(manager, Filters(PERIOD)) for name in CHARTS}
    live_overdue = selectors.overdue_timers(manager, Filters(PERIOD))
    # then (live: the other team's records are left out)
    assert [row["team_id"] for row in live["win_rate"]] == [team.pk, None]
    assert {row["stage"]: row["count"] for row in live["pipeline_funnel"]}["bid"] == 0
    assert [(row["owner_id"], row["count"]) for row in live_overdue] == [(engineer.pk, 1)]
    # when
    summary.refresh_summary(now=NOW)
    # then
    assert selectors.summary_teams(manager, Filters(PERIOD)) == [team.pk]
    for name in CHARTS:
        assert without_medians(getattr(selectors, name)(manager, Filters(PERIOD))) == without_medians(
            live[name]
        ), name
    # when (the overdue timers are summarised as of the computation)
    summary.refresh_summary(now=now)

    # then
    def strip(rows):
        return [{k: v for k, v in r.items() if k != "oldest_due"} for r in rows]

    assert strip(selectors.overdue_timers(manager, Filters(PERIOD))) == strip(live_overdue)


def test_r_kpi_3_the_summary_keeps_the_overdue_timers_of_its_computation(
    general_manager, manager, engineer, other_engineer, team, other_team
):
    # given
    now = timezone.now()
    _timer(engineer, team, due=now - timedelta(days=1))
    _timer(engineer, team, due=now - timedelta(days=3))
    _timer(engineer, team, due=now + timedelta(days=1))
    _timer(other_engineer, other_team, due=now - timedelta(days=2))
    live = selectors.overdue_timers(general_manager, Filters(PERIOD))
    # when
    summary.refresh_summary(now=now)

    # then
    def strip(rows):
        return [{k: v for k, v in r.items() if k != "oldest_due"} for r in rows]

    assert strip(selectors.overdue_timers(general_manager, Filters(PERIOD))) == strip(live)
    mine = selectors.overdue_timers(manager, Filters(PERIOD))
    assert [(r["owner_id"], r["count"]) for r in mine] == [(engineer.pk, 2)]
    assert abs((mine[0]["oldest_due"] - (now - timedelta(days=3))).total_seconds()) < 1


def test_r_kpi_3_the_summary_median_of_one_team_and_month_is_exact(general_manager, team, other_team):
    # given
    world(team, other_team)
    live = selectors.cycle_time(general_manager, Filters(PERIOD, team_id=team.pk))
    # when
    summary.refresh_summary(now=NOW)
    # then
    assert selectors.cycle_time(general_manager, Filters(PERIOD, team_id=team.pk)) == live
    assert {row["stage"]: row["median_days"] for row in live}["lead_intake"] == Decimal("2.0")


def test_r_kpi_3_a_team_manager_reads_only_the_teams_rows(manager, team, other_team):
    # given
    world(team, other_team)
    summary.refresh_summary(now=NOW)
    # when
    rows = selectors.win_rate(manager, Filters(PERIOD))
    other = selectors.win_rate(manager, Filters(PERIOD, team_id=other_team.pk))
    # then
    assert [row["team_id"] for row in rows] == [team.pk, None]
    assert other[-1]["closed"] == 0 and len(other) == 1


def test_r_kpi_3_a_person_or_industry_filter_is_computed_live(general_manager, team, other_team):
    # given
    world(team, other_team)
    summary.refresh_summary(now=NOW)
    # when / then
    assert (
        selectors.summary_teams(general_manager, Filters(PERIOD, owner_id=general_manager.pk))
        is selectors.LIVE
    )
    assert selectors.summary_teams(general_manager, Filters(PERIOD, industry="finance")) is selectors.LIVE
    funnel = {
        r["stage"]: r for r in selectors.pipeline_funnel(general_manager, Filters(PERIOD, industry="finance"))
    }
    assert funnel["solution"]["count"] == 0


def test_r_kpi_3_the_beat_task_rebuilds_the_summary(team, other_team):
    # given
    world(team, other_team)
    assert "refresh-analytics-summary" in settings.CELERY_BEAT_SCHEDULE
    # when
    written = refresh_analytics_summary_task()
    again = refresh_analytics_summary_task()
    # then: idempotent, and the page can say when
    assert written == again == AnalyticsSummary.objects.count() > 0
    assert summary.computed_at() is not None
