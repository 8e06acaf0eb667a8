"""The analytics' summary kept incrementally (R-KPI-3): database triggers mark the teams and
months a write touched, by any route (services, ORM bulk updates, deletes); the 15-minute
refresh recomputes only those groups and ends with exactly the rows a full rebuild writes,
after changes, closes, reopenings, team moves and deletes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kpi.analytics import summary
from kpi.analytics.tasks import rebuild_analytics_summary_task, refresh_analytics_summary_task
from kpi.models import AnalyticsChange, AnalyticsSummary
from opportunities.models import Opportunity, StageChange
from opportunities.services import opportunity_move
from reviews.models import Review, ReviewTask
from tests.kpi.analytics.conftest import at, place
from tests.kpi.analytics.test_summary import world

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 11, 15, 12))
FIELDS = ("measure", "month", "team_id", "stage", "person_id", "count", "further", "amount", "seconds")


def rows() -> list[tuple]:
    """The summary's figures, without the row ids and the computation time."""
    found = []
    for row in AnalyticsSummary.objects.values(*FIELDS, "median_seconds"):
        median = row.pop("median_seconds")
        found.append((*(row[f] for f in FIELDS), None if median is None else round(median, 3)))
    return sorted(found, key=repr)


def incremental_equals_full(now=NOW) -> list[tuple]:
    """Refresh incrementally, then rebuild whole: the same rows (returned)."""
    summary.refresh_summary(now=now)
    incremental = rows()
    assert not AnalyticsChange.objects.exists()
    summary.refresh_summary(now=now, full=True)
    assert rows() == incremental
    return incremental


@pytest.fixture
def built(team, other_team):
    """The analytics tests' world, summarised whole once."""
    world(team, other_team)
    summary.refresh_summary(now=NOW, full=True)
    assert not AnalyticsChange.objects.exists()
    return rows()


def test_r_kpi_3_a_write_leaves_marks_and_the_refresh_consumes_them(built, team):
    # when: an edit that the summary does not read marks nothing
    opportunity = Opportunity.objects.filter(team=team).first()
    Opportunity.objects.filter(pk=opportunity.pk).update(title="Renamed")
    assert not AnalyticsChange.objects.exists()
    # when: an amount change marks the team's pipeline and the opportunity's months
    Opportunity.objects.filter(pk=opportunity.pk).update(amount=Decimal("4321.00"))
    # then
    assert AnalyticsChange.objects.filter(team_id=team.pk, kind="open").exists()
    assert incremental_equals_full() != built


def test_r_kpi_3_incremental_equals_full_after_a_new_opportunity_and_its_moves(built, team):
    # given: a new opportunity with its history, created through the ORM like the services
    place(
        team,
        stage="demo",
        amount="777.00",
        created=at(5),
        expected_close=at(28, 12).date(),
        path=(("lead_intake", "needs_analysis", at(6)), ("needs_analysis", "demo", at(11))),
    )
    # then
    assert incremental_equals_full() != built


def test_r_kpi_3_incremental_equals_full_after_a_close_through_the_service(built, team):
    # given: an open opportunity abandoned through the lifecycle service (stage, closed_at,
    # a stage change row)
    opportunity = Opportunity.objects.get(team=team, stage="solution")
    actor = opportunity.sales_owner
    try:
        opportunity_move(actor=actor, opportunity=opportunity, move="abandon", reason="budget")
    except Exception:
        Opportunity.objects.filter(pk=opportunity.pk).update(stage="abandoned", closed_at=NOW)
        StageChange.objects.create(
            opportunity=opportunity,
            from_stage="solution",
            to_stage="abandoned",
            move="abandon",
            actor=actor,
            at=NOW,
        )
    assert Opportunity.objects.get(pk=opportunity.pk).stage == "abandoned"
    # then
    assert incremental_equals_full() != built


def test_r_kpi_3_incremental_equals_full_after_a_reopening(built, team):
    # given: the lost opportunity reopened (back to needs analysis, its close month emptied)
    lost = Opportunity.objects.get(team=team, stage="lost")
    Opportunity.objects.filter(pk=lost.pk).update(stage="needs_analysis", closed_at=None)
    StageChange.objects.create(
        opportunity=lost,
        from_stage="lost",
        to_stage="needs_analysis",
        move="reopen",
        actor=lost.sales_owner,
        at=at(12),
    )
    # then
    assert incremental_equals_full() != built


def test_r_kpi_3_incremental_equals_full_after_a_delete(built, other_team):
    # given: a closed opportunity of the other team deleted with its history
    won = Opportunity.objects.get(team=other_team, stage="handoff")
    StageChange.objects.filter(opportunity=won).delete()
    Opportunity.objects.filter(pk=won.pk).delete()
    # then
    assert incremental_equals_full() != built


def test_r_kpi_3_incremental_equals_full_after_a_team_move_and_a_new_date(built, team, other_team):
    # given: an opportunity moved to the other team (its whole history moves) and another
    # re-dated (its creation month, its first stay)
    moving = Opportunity.objects.get(team=team, stage="contract")
    Opportunity.objects.filter(pk=moving.pk).update(team=other_team)
    Opportunity.objects.filter(team=team, stage="solution").update(created_at=at(20, 9))
    # then
    assert incremental_equals_full() != built


def test_r_kpi_3_incremental_equals_full_after_history_edits(built, team):
    # given: a stage change moved in time and another deleted (neighbours' stays and
    # "went further" change in other months)
    opportunity = Opportunity.objects.get(team=team, stage="contract")
    changes = list(StageChange.objects.filter(opportunity=opportunity).order_by("at"))
    StageChange.objects.filter(pk=changes[0].pk).update(at=at(25, 9))
    StageChange.objects.filter(pk=changes[1].pk).delete()
    # then
    assert incremental_equals_full() != built


def test_r_kpi_3_incremental_equals_full_after_review_decisions(built, team, manager, engineer):
    # given: a decided review task written, then its decision moved to another month, and
    # another task deleted with its review
    from tests.factories import ReviewChainFactory

    chain = ReviewChainFactory()
    opportunity = Opportunity.objects.filter(team=team).first()
    review = Review.objects.create(
        content_type_id=_content_type_id(),
        object_id=opportunity.pk,
        kind=chain.kind,
        chain=chain,
        status="approved",
        author=engineer,
        started_by=engineer,
        team=team,
        subject_summary="x",
        started_at=at(3),
        finished_at=at(6),
    )
    kept = ReviewTask.objects.create(
        review=review,
        step_order=1,
        step_name="s",
        mode="all",
        approver=manager,
        state="approved",
        opened_at=at(3),
        decided_at=at(6),
    )
    other = ReviewTask.objects.create(
        review=review,
        step_order=2,
        step_name="t",
        mode="all",
        approver=engineer,
        state="approved",
        opened_at=at(6),
        decided_at=at(9),
    )
    with_review = incremental_equals_full()
    assert any(row[0] == "review" for row in with_review)
    # when
    ReviewTask.objects.filter(pk=kept.pk).update(decided_at=at(4, 11), opened_at=at(1, 11))
    ReviewTask.objects.filter(pk=other.pk).delete()
    # then
    assert incremental_equals_full() != with_review


def test_r_kpi_3_the_overdue_timers_and_the_sliding_window_follow_the_clock(built):
    # when: refreshed a year later with nothing changed, the months that slid out of the
    # window go and the overdue timers are those of the new moment, as a rebuild would have
    later = timezone.make_aware(datetime(2028, 11, 15, 12))
    summary.refresh_summary(now=later)
    incremental = rows()
    summary.refresh_summary(now=later, full=True)
    # then
    assert rows() == incremental


def test_r_kpi_3_the_beat_tasks_refresh_and_rebuild(built, team):
    # given
    from django.conf import settings

    assert {"refresh-analytics-summary", "rebuild-analytics-summary"} <= set(settings.CELERY_BEAT_SCHEDULE)
    Opportunity.objects.filter(team=team, stage="solution").update(amount=Decimal("1.00"))
    # when
    refreshed = refresh_analytics_summary_task()
    rebuilt = rebuild_analytics_summary_task()
    # then
    assert refreshed == rebuilt == AnalyticsSummary.objects.count()
    assert not AnalyticsChange.objects.exists()


def _content_type_id() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Opportunity).pk


def test_r_kpi_3_incremental_equals_full_after_a_change_recorded_late(built, team):
    # given: a stage change recorded with a moment before the opportunity's later changes
    # (the next change's stay now starts there) and one in a month of its own
    opportunity = Opportunity.objects.get(team=team, stage="contract")
    for moment, to_stage in ((at(10), "solution"), (at(28, 9), "needs_analysis")):
        StageChange.objects.create(
            opportunity=opportunity,
            from_stage="needs_analysis",
            to_stage=to_stage,
            move="advance",
            actor=opportunity.sales_owner,
            at=moment,
        )
        # then
        assert incremental_equals_full() != built
