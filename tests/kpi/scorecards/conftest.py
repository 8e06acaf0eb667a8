"""Hand-built records behind the presales indicators (R-KPI-1) and a scorecard to work on
(R-KPI-2)."""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from kpi.models import Survey, SurveyAnswer, SurveyTemplate, TrainingRecord
from kpi.models.scorecards import ScorecardTemplate
from kpi.periods import Period
from kpi.scorecards import services
from leads.models import Lead
from reviews.models import Review, ReviewTask
from tests.factories import OpportunityFactory, ProjectMemberFactory, ReviewChainFactory, UserFactory

NOVEMBER = Period.parse("2026-11")


def at(day: int, month: int = 11, year: int = 2026) -> datetime:
    return timezone.make_aware(datetime(year, month, day, 12, 0))


def closed_opportunity(
    *, team, owner, stage: str, closed: datetime, member=None, member_role="presales_engineer"
):
    reason = "" if stage == "handoff" else "price"
    opportunity = OpportunityFactory(
        team=team, presales_owner=owner, stage=stage, close_reason=reason, closed_at=closed
    )
    if member is not None:
        ProjectMemberFactory(opportunity=opportunity, user=member, role=member_role)
    return opportunity


def survey_answer(*, person, measure: str, score: int, answered: datetime, team=None):
    template, _ = SurveyTemplate.objects.get_or_create(name="KPI test", purpose="after_acceptance")
    survey = Survey.objects.create(
        template=template,
        purpose="after_acceptance",
        opportunity=OpportunityFactory(team=team or person.team),
        rated_user=person,
        nonce=secrets.token_hex(8),
        status="answered",
        answered_at=answered,
    )
    return SurveyAnswer.objects.create(
        survey=survey,
        code="q1",
        measure=measure,
        score=score,
        rated_user=person,
        team=team or person.team,
        answered_at=answered,
    )


def training_record(*, person, hours: str, held_on, direction: str = "taken", exam_score=None):
    return TrainingRecord.objects.create(
        person=person,
        direction=direction,
        course="能耗管理培训",
        held_on=held_on,
        hours=Decimal(hours),
        result="exam" if exam_score is not None else "none",
        exam_score=exam_score,
        recorded_by=person,
    )


def finished_review(
    *, author, team, finished: datetime, scores: list[dict], status: str = "approved", kind="solution_version"
):
    chain = ReviewChainFactory(kind="initiation", is_active=False)
    review = Review.objects.create(
        content_type=ContentType.objects.get_for_model(Lead),
        object_id=1,
        kind=kind,
        chain=chain,
        author=author,
        started_by=author,
        team=team,
        subject_summary="方案 v1",
        status=status,
        finished_at=finished,
        current_step_order=None,
    )
    decided = status in ("approved", "rejected")
    for task_scores in scores:
        ReviewTask.objects.create(
            review=review,
            step_order=1,
            step_name="Step",
            mode="all",
            approver=UserFactory(roles=["presales_manager"], team=team),
            state=status if decided else "superseded",
            decided_at=finished if decided else None,
            scores=task_scores,
        )
    return review


@pytest.fixture
def templates(db):
    return services.ensure_default_scorecard_templates()


@pytest.fixture
def monthly(templates):
    return ScorecardTemplate.objects.get(audience="presales_engineer", period_kind="month")


@pytest.fixture
def scorecard(monthly, manager, engineer):
    return services.scorecard_create(actor=manager, person=engineer, template=monthly, period="2026-11")


ALL_RATINGS = {"attitude": 5, "teamwork": 4, "execution": 4, "growth": 3}
