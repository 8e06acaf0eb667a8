"""The presales indicators (R-KPI-1), registered in ``kpi.indicators`` by ``registry.register()``.

Each ``compute(user_ids, period)`` is one aggregate query grouped by person, whatever the number
of people or rows, and returns ``{user id: Value}`` for the people with something to measure:
a person without data is missing (shown as "no data", never as 0). Figures follow the person,
not the team: a person who changed team mid-period keeps everything they did in it. A period
still running counts to date.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from collaboration.models import CollaborationRequest
from kpi.indicators import PRESALES, Indicator, Value
from kpi.models import SurveyAnswer, TrainingRecord
from kpi.models.surveys import Measure
from kpi.models.training import TrainingDirection
from kpi.periods import Period
from opportunities.choices import ProjectRole, Stage
from opportunities.models import Opportunity, ProjectMember
from reviews.choices import ReviewStatus, TaskState
from reviews.models import Review, ReviewTask

TWO = Decimal("0.01")
SOLUTION_KIND = "solution_version"
PRESALES_MEMBER_ROLES = (ProjectRole.PRESALES_OWNER, ProjectRole.PRESALES_ENGINEER)
CLOSED = (Stage.HANDOFF, Stage.LOST, Stage.ABANDONED)


def _round(number: Decimal | float | int | None) -> Decimal | None:
    return None if number is None else Decimal(str(number)).quantize(TWO, rounding=ROUND_HALF_UP)


def _last_day(period: Period) -> str:
    from datetime import timedelta

    return (period.end - timedelta(days=1)).isoformat()


# --- success rate -------------------------------------------------------------------------------

SUCCESS_DEFINITION = _(
    "Won ÷ followed, as a percentage. Followed: the opportunities closed in the period (won at "
    "handoff, lost or abandoned; closing date in the period) on which the person was the presales "
    "owner or a project team member as presales owner or presales engineer. Won: those that "
    "reached handoff. Opportunities still open do not count; a running period counts to date."
)


def _in(values: list[Any]) -> str:
    """``(%s, %s, …)`` for a list of parameters: portable (PostgreSQL and SQLite, whose driver
    has no array parameters), and the list is short (the people of a page, a few codes)."""
    return "(" + ", ".join(["%s"] * len(values)) + ")"


def success_rate(user_ids: list[int], period: Period) -> dict[int, Value]:
    """One query: the union of ownership and presales membership (an opportunity counts once
    per person however they were on it), grouped by person."""
    opportunity = Opportunity._meta.db_table
    member = ProjectMember._meta.db_table
    people = list(user_ids)
    closed = [str(s) for s in CLOSED]
    roles = [str(r) for r in PRESALES_MEMBER_ROLES]
    sql = f"""
        WITH followed AS (
            SELECT o.presales_owner_id AS person, o.id, o.stage
              FROM {opportunity} o
             WHERE o.presales_owner_id IN {_in(people)} AND o.stage IN {_in(closed)}
               AND o.closed_at >= %s AND o.closed_at < %s
            UNION
            SELECT m.user_id AS person, o.id, o.stage
              FROM {member} m JOIN {opportunity} o ON o.id = m.opportunity_id
             WHERE m.user_id IN {_in(people)} AND m.role IN {_in(roles)} AND o.stage IN {_in(closed)}
               AND o.closed_at >= %s AND o.closed_at < %s
        )
        SELECT person, COUNT(*), SUM(CASE WHEN stage = %s THEN 1 ELSE 0 END) FROM followed GROUP BY person
    """
    params: list[Any] = [
        *people,
        *closed,
        period.start_at,
        period.end_at,
        *people,
        *roles,
        *closed,
        period.start_at,
        period.end_at,
        str(Stage.HANDOFF),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    result = {}
    for person, followed, won in rows:
        if not followed:
            continue  # division by zero: no data
        result[person] = Value(
            _round(Decimal(won) * 100 / Decimal(followed)),
            numerator=Decimal(won),
            denominator=Decimal(followed),
            count=followed,
        )
    return result


def success_records(user_id: int, period: Period) -> str:
    query = [
        ("presales_person", user_id),
        ("closed_after", period.start.isoformat()),
        ("closed_before", _last_day(period)),
        *[("stage", str(s)) for s in CLOSED],
    ]
    return f"{reverse('opportunities:list')}?{urlencode(query)}"


# --- survey averages (customer satisfaction, collaboration) --------------------------------------


def _scores_average(measure: str, *, with_collaboration_requests: bool = False):
    """The average of the survey scores of ``measure`` about the person, answered in the
    period, in one query grouped by person; the count is the number of scores.

    Issue 14 (R-COLL-1): the collaboration rating also counts the requesters' ratings of the
    collaboration requests the person completed (rated in the period), as a UNION ALL in the
    same query."""

    def compute(user_ids: list[int], period: Period) -> dict[int, Value]:
        people = list(user_ids)
        if not people:
            return {}  # "IN ()" is no SQL
        scores = f"""
            SELECT a.rated_user_id AS person, a.score
              FROM {SurveyAnswer._meta.db_table} a
             WHERE a.measure = %s AND a.rated_user_id IN {_in(people)}
               AND a.answered_at >= %s AND a.answered_at < %s AND a.score IS NOT NULL
        """
        params: list[Any] = [str(measure), *people, period.start_at, period.end_at]
        if with_collaboration_requests:
            scores += f"""
            UNION ALL
            SELECT r.completed_by_id AS person, r.rating AS score
              FROM {CollaborationRequest._meta.db_table} r
             WHERE r.completed_by_id IN {_in(people)} AND r.rating IS NOT NULL
               AND r.rated_at >= %s AND r.rated_at < %s
            """
            params += [*people, period.start_at, period.end_at]
        sql = f"""
            WITH scores AS ({scores})
            SELECT person, AVG(score), SUM(score), COUNT(*) FROM scores GROUP BY person
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return {
            person: Value(_round(average), numerator=Decimal(total), denominator=Decimal(n), count=n)
            for person, average, total, n in rows
            if n
        }

    return compute


customer_satisfaction = _scores_average(Measure.SATISFACTION)
collaboration_rating = _scores_average(Measure.COLLABORATION, with_collaboration_requests=True)


def _survey_records(user_id: int, period: Period) -> str:
    query = {
        "rated_user": user_id,
        "answered_from": period.start.isoformat(),
        "answered_until": _last_day(period),
    }
    return f"/kpi/surveys/?{urlencode(query)}"


SATISFACTION_DEFINITION = _(
    "The average of the customers' satisfaction scores (1 to 5) answered in the period about the "
    "person's work (the surveys rating them); the count is the number of answers."
)
COLLABORATION_DEFINITION = _(
    "The average of the collaboration scores (1 to 5) given in the period to the person by the "
    "sales owners they worked with and by customers, and the requesters' ratings of the "
    "collaboration requests the person completed, rated in the period; the count is the number "
    "of scores."
)

# --- solution quality -----------------------------------------------------------------------------

QUALITY_DEFINITION = _(
    "The average review score (1 to 5) of the solution versions the person authored whose review "
    "finished (approved or rejected) in the period: each review's scores averaged over its "
    "criteria and reviewers, then the reviews averaged. Withdrawn reviews do not count."
)


def solution_quality(user_ids: list[int], period: Period) -> dict[int, Value]:
    """One query: each finished review's average of its numeric criterion scores (every
    reviewer's), then averaged per author, in the database."""
    review = Review._meta.db_table
    task = ReviewTask._meta.db_table
    sql = f"""
        WITH per_review AS (
            SELECT r.author_id AS person, r.id, AVG((s.value)::numeric) AS average
              FROM {review} r
              JOIN {task} t ON t.review_id = r.id
             CROSS JOIN LATERAL jsonb_each(t.scores::jsonb) s
             WHERE r.kind = %(kind)s AND r.status = ANY(%(statuses)s) AND t.state = ANY(%(states)s)
               AND r.author_id = ANY(%(people)s)
               AND r.finished_at >= %(start)s AND r.finished_at < %(end)s
               AND jsonb_typeof(s.value) = 'number'
             GROUP BY r.author_id, r.id
        )
        SELECT person, AVG(average), COUNT(*) FROM per_review GROUP BY person
    """
    params: dict[str, Any] = {
        "kind": SOLUTION_KIND,
        "statuses": [str(ReviewStatus.APPROVED), str(ReviewStatus.REJECTED)],
        "states": [str(TaskState.APPROVED), str(TaskState.REJECTED)],
        "people": list(user_ids),
        "start": period.start_at,
        "end": period.end_at,
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    else:  # SQLite (make run): no jsonb; the same arithmetic over the tasks' scores
        rows = _quality_rows_portable(user_ids, period)
    return {
        person: Value(_round(average), denominator=Decimal(count), count=count)
        for person, average, count in rows
        if count
    }


def _quality_rows_portable(user_ids: list[int], period: Period) -> list[tuple[int, Decimal, int]]:
    """``solution_quality``'s rows without PostgreSQL's JSON functions, for SQLite only (the
    demo database of ``make run``): the tasks are read and averaged here."""
    tasks = ReviewTask.objects.filter(
        review__kind=SOLUTION_KIND,
        review__status__in=[ReviewStatus.APPROVED, ReviewStatus.REJECTED],
        state__in=[TaskState.APPROVED, TaskState.REJECTED],
        review__author_id__in=user_ids,
        review__finished_at__gte=period.start_at,
        review__finished_at__lt=period.end_at,
    ).values_list("review__author_id", "review_id", "scores")
    per_review: dict[tuple[int, int], list[Decimal]] = {}
    for author, review_id, scores in tasks:
        numbers = [Decimal(str(v)) for v in (scores or {}).values() if isinstance(v, int | float)]
        per_review.setdefault((author, review_id), []).extend(numbers)
    per_person: dict[int, list[Decimal]] = {}
    for (author, _review), numbers in per_review.items():
        if numbers:
            per_person.setdefault(author, []).append(sum(numbers, Decimal(0)) / len(numbers))
    return [
        (person, sum(values, Decimal(0)) / len(values), len(values)) for person, values in per_person.items()
    ]


def quality_records(user_id: int, period: Period) -> str:
    query = [("kind", SOLUTION_KIND), ("status", "approved"), ("status", "rejected")]
    return f"{reverse('reviews:list')}?{urlencode(query)}"


# --- training -----------------------------------------------------------------------------------

TRAINING_DEFINITION = _(
    "Hours of training held in the period: courses taken plus training given to sales (given "
    "hours count too; both are shown)."
)


def training(user_ids: list[int], period: Period) -> dict[int, Value]:
    """One query: hours taken, hours given, the average exam score and the count per person."""
    rows = (
        TrainingRecord.objects.filter(
            person_id__in=user_ids, held_on__gte=period.start, held_on__lt=period.end
        )
        .values("person_id")
        .annotate(
            taken=Sum("hours", filter=Q(direction=TrainingDirection.TAKEN)),
            given=Sum("hours", filter=Q(direction=TrainingDirection.GIVEN)),
            n=Count("id"),
        )
        .order_by()
    )
    result = {}
    for row in rows:
        taken = row["taken"] or Decimal(0)
        given = row["given"] or Decimal(0)
        result[row["person_id"]] = Value(
            _round(taken + given),
            numerator=_round(taken),
            denominator=_round(given),
            count=row["n"],
            target=None,
        )
    return result


def training_records(user_id: int, period: Period) -> str:
    query = {"person": user_id, "held_from": period.start.isoformat(), "held_until": _last_day(period)}
    return f"/kpi/training/?{urlencode(query)}"


def _survey_average_indicator(
    *, key: str, label: Any, definition: Any, compute: Any, order: int
) -> Indicator:
    """An average of 1-to-5 scores about the person, whose records are the survey answers."""
    return Indicator(
        key=key,
        label=label,
        definition=definition,
        rule="R-KPI-1",
        unit="score5",
        audiences=frozenset({PRESALES}),
        compute=compute,
        records_url=_survey_records,
        order=order,
        extra={"numerator": _("sum of scores"), "denominator": _("answers")},
    )


INDICATORS = (
    Indicator(
        key="success_rate",
        label=_("Success rate"),
        definition=SUCCESS_DEFINITION,
        rule="R-KPI-1",
        unit="percent",
        audiences=frozenset({PRESALES}),
        compute=success_rate,
        records_url=success_records,
        order=10,
        extra={"numerator": _("won"), "denominator": _("followed")},
    ),
    _survey_average_indicator(
        key="customer_satisfaction",
        label=_("Customer satisfaction"),
        definition=SATISFACTION_DEFINITION,
        compute=customer_satisfaction,
        order=20,
    ),
    Indicator(
        key="solution_quality",
        label=_("Solution quality"),
        definition=QUALITY_DEFINITION,
        rule="R-KPI-1",
        unit="score5",
        audiences=frozenset({PRESALES}),
        compute=solution_quality,
        records_url=quality_records,
        order=30,
        extra={"denominator": _("reviews")},
    ),
    _survey_average_indicator(
        key="collaboration",
        label=_("Collaboration rating"),
        definition=COLLABORATION_DEFINITION,
        compute=collaboration_rating,
        order=40,
    ),
    Indicator(
        key="training",
        label=_("Training"),
        definition=TRAINING_DEFINITION,
        rule="R-KPI-1",
        unit="hours",
        audiences=frozenset({PRESALES}),
        compute=training,
        records_url=training_records,
        order=50,
        extra={"numerator": _("hours taken"), "denominator": _("hours given")},
    ),
)
