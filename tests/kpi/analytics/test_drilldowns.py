"""Drill-downs (R-KPI-3): each point of the review-turnaround and overdue-timers charts opens
exactly the records behind it, whether the chart is computed live or read from the summary:
the list behind a point holds as many records as the point counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.http import QueryDict
from django.test import Client
from django.utils import timezone

from kpi.analytics import summary
from kpi.analytics.charts import CHARTS
from kpi.analytics.selectors import Filters
from opportunities.models import Opportunity
from reviews.models import Review, ReviewTask
from tests.factories import ReviewChainFactory
from tests.kpi.analytics.conftest import PERIOD, at
from tests.kpi.analytics.test_selectors import _timer

pytestmark = pytest.mark.django_db


def _decision(chain, team, author, approver, *, decided, opened=None, step=1, state="approved"):
    review = Review.objects.create(
        content_type=ContentType.objects.get_for_model(Opportunity),
        object_id=Review.objects.count() + 1,
        kind="initiation",
        chain=chain,
        status="approved",
        author=author,
        started_by=author,
        team=team,
        subject_summary=f"Decided {decided:%m-%d} by {approver.username}",
        started_at=opened or decided - timedelta(days=1),
        finished_at=decided,
    )
    ReviewTask.objects.create(
        review=review,
        step_order=step,
        step_name="Step",
        mode="all",
        approver=approver,
        state=state,
        opened_at=opened or decided - timedelta(days=1),
        decided_at=decided,
    )
    return review


@pytest.fixture
def decisions(team, other_team, engineer, other_engineer, manager, general_manager):
    chain = ReviewChainFactory()
    # the manager decided three in October (one rejected, one for the other team), one in
    # September and one on 1 November; the general manager one in October
    _decision(chain, team, engineer, manager, decided=at(2))
    _decision(chain, team, engineer, manager, decided=at(31, hour=23), state="rejected")
    _decision(chain, other_team, other_engineer, manager, decided=at(15))
    _decision(chain, team, engineer, manager, decided=at(30, 9))
    _decision(chain, team, engineer, manager, decided=at(1, 11, hour=1))
    _decision(chain, team, engineer, general_manager, decided=at(20))


def _list_count(user, url: str) -> int:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["object_list"].count()


@pytest.mark.parametrize("source", ["live", "summary"])
def test_r_kpi_3_a_review_turnaround_point_opens_its_decisions(decisions, general_manager, team, source):
    # given
    if source == "summary":
        summary.refresh_summary(full=True)
    chart = CHARTS["review-turnaround"]
    for filters in (Filters(PERIOD), Filters(PERIOD, team_id=team.pk)):
        rows = chart.rows(general_manager, filters)
        assert sorted(row["count"] for row in rows) == ([1, 2] if filters.team_id else [1, 3])
        # when / then: the list behind each point holds its decisions
        for row in rows:
            assert _list_count(general_manager, row["url"]) == row["count"], row["url"]


@pytest.mark.parametrize("source", ["live", "summary"])
def test_r_kpi_3_a_team_manager_s_point_opens_the_decisions_of_the_teams_it_counts(
    decisions, manager, general_manager, team, source
):
    """R-KPI-3: a team's manager, not filtering by team, sees their teams' decisions; the
    manager's own decision on another team's review (visible to them as its approver) is in
    neither the point nor the list behind it."""
    # given
    if source == "summary":
        summary.refresh_summary(full=True)
    chart = CHARTS["review-turnaround"]
    for filters in (Filters(PERIOD), Filters(PERIOD, team_id=team.pk)):
        rows = chart.rows(manager, filters)
        assert sorted((row["approver_id"], row["count"]) for row in rows) == sorted(
            [(manager.pk, 2), (general_manager.pk, 1)]
        )
        # when / then
        for row in rows:
            assert _list_count(manager, row["url"]) == row["count"], row["url"]


@pytest.mark.parametrize("source", ["live", "summary"])
def test_r_kpi_3_an_overdue_timers_point_opens_its_timers(
    general_manager, engineer, other_engineer, manager, team, other_team, source
):
    # given: the engineer has two overdue review-step timers and one not yet due; the other
    # team's engineer one overdue
    now = timezone.now()
    _timer(engineer, team, due=now - timedelta(days=1))
    _timer(engineer, team, due=now - timedelta(days=2))
    _timer(engineer, team, due=now + timedelta(days=1))
    _timer(other_engineer, other_team, due=now - timedelta(hours=3))
    if source == "summary":
        summary.refresh_summary(full=True)
    chart = CHARTS["overdue-timers"]
    rows = chart.rows(general_manager, Filters(PERIOD))
    assert sorted((row["owner_id"], row["count"]) for row in rows) == sorted(
        [(engineer.pk, 2), (other_engineer.pk, 1)]
    )
    # when / then
    for row in rows:
        client = Client()
        client.force_login(general_manager)
        response = client.get(row["url"])
        assert response.status_code == 200
        assert response.context["filtered_total"] == row["count"] == len(response.context["timers"])
        assert {timer.owner_id for timer in response.context["timers"]} == {row["owner_id"]}
    # a team's manager, filtered by the team, sees the point of the team only
    [mine] = chart.rows(manager, Filters(PERIOD, team_id=team.pk))
    client = Client()
    client.force_login(manager)
    assert client.get(mine["url"]).context["filtered_total"] == mine["count"] == 2


def test_r_kpi_3_the_decision_filter_is_served_by_the_task_index():
    """The list's decision filter reads the approver's tasks first (index review_task_inbox:
    approver, state), then the reviews by key."""
    from reviews.filtersets import ReviewFilterSet

    filterset = ReviewFilterSet(
        {"decided_by": "7", "decided_after": "2026-10-01", "decided_before": "2026-10-31"},
        queryset=Review.objects.all(),
    )
    sql = str(filterset.qs.query)
    assert "= ANY(ARRAY(SELECT" in sql and "EXISTS" not in sql
    assert 'U0."approver_id" = 7' in sql


def test_r_kpi_3_the_teams_filter_is_one_indexed_in_without_distinct(general_manager, team, other_team, rf):
    """The drill-down's teams (``?team=3&team=5``) filter the review's team column with one
    ``IN`` (the index review_team_status serves it; no DISTINCT to sort the page's rows)."""
    from reviews.filtersets import ReviewFilterSet

    request = rf.get("/")
    request.user = general_manager
    filterset = ReviewFilterSet(
        QueryDict(f"team={team.pk}&team={other_team.pk}&decided_by=7"),
        queryset=Review.objects.all(),
        request=request,
    )
    assert filterset.is_valid(), filterset.errors
    sql = str(filterset.qs.query)
    assert '"reviews_review"."team_id" IN (' in sql
    assert "DISTINCT" not in sql and " OR " not in sql
    assert sorted(filterset.form.cleaned_data["team"], key=lambda t: t.pk) == sorted(
        [team, other_team], key=lambda t: t.pk
    )
