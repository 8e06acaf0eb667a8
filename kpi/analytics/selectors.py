"""The managers' analytics (R-KPI-3): pipeline funnel, conversion by stage, win rate, cycle
time per stage, weighted forecast, overdue timers, receivables, review turnaround and trends.

Every figure is aggregated by the database (GROUP BY, conditional aggregates, a correlated
subquery over the indexed stage history): a selector runs one or two queries whatever the
number of rows, and returns a bounded number of rows (stages, months, teams, people).

Each selector takes the caller and :class:`Filters` and sees only what the caller sees: the
opportunities of ``Opportunity.objects.visible_to(user)`` (``opportunity_visibility_q``), the
timers of ``Timer.objects.visible_to(user)``, the receivables of the visible contracts and
the review tasks of the visible reviews; of those, a chart counts the teams of
:func:`chart_teams` only, as the summary does (a team-scoped manager's figures are their
teams', live or summarised). Amounts are in CNY: an amount in another currency is
converted at its recorded rate (``fx_rate_to_cny``); one without a rate is left out of the
sums (and counted).

The monthly team report reads the same functions (signatures in the module's ``__all__``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    DateTimeField,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bids.payments import selectors as payments
from bids.payments.choices import ReceivablesGroup
from kpi.analytics import summary
from kpi.analytics.summary import TURNAROUND_LOOKBACK_DAYS, non_working_days
from kpi.models import AnalyticsSummary, SummaryMeasure
from kpi.periods import Period, PeriodKind
from opportunities.choices import LIFECYCLE, Stage
from opportunities.models import Opportunity, StageChange, opportunity_visibility_q
from presales.core.money import BASE_CURRENCY
from presales.core.roles import Scope, scope_of
from presales.sla.calendar import company_tz
from presales.sla.models import Timer
from presales.sla.policies import kind_label
from reviews.choices import TaskState
from reviews.models import Review, ReviewTask

__all__ = [
    "STAGE_WEIGHTS",
    "Filters",
    "conversion_by_stage",
    "cycle_time",
    "forecast",
    "overdue_timers",
    "pipeline_funnel",
    "receivables",
    "review_turnaround",
    "trends",
    "win_rate",
]

MONEY = DecimalField(max_digits=20, decimal_places=2)
OPEN_PATH = LIFECYCLE[:-1]  # the funnel's stages, lead intake to contract
WON = Stage.HANDOFF
CLOSED = (Stage.HANDOFF, Stage.LOST, Stage.ABANDONED)

STAGE_WEIGHTS: dict[str, Decimal] = {
    Stage.LEAD_INTAKE: Decimal("0.05"),
    Stage.NEEDS_ANALYSIS: Decimal("0.10"),
    Stage.SOLUTION: Decimal("0.25"),
    Stage.REVIEW: Decimal("0.40"),
    Stage.DEMO: Decimal("0.50"),
    Stage.BID: Decimal("0.60"),
    Stage.CONTRACT: Decimal("0.80"),
}
"""The forecast's probability of winning an open opportunity by its stage (the opportunity has
no probability of its own): the one place these weights live. Weighted forecast = amount in
CNY × the weight of its stage, summed per expected close month. Closed stages weigh nothing."""

FORECAST_MONTHS = 6  # a month's forecast looks this many months ahead
TREND_MONTHS = 12


@dataclass(frozen=True)
class Filters:
    """What a chart is restricted to, besides the caller's visibility: the period, a team, a
    person (sales or presales owner; for timers the timer's owner, for reviews the approver)
    and the customer's industry."""

    period: Period
    team_id: int | None = None
    owner_id: int | None = None
    industry: str = ""

    def query(self) -> dict[str, str]:
        """The filters as the analytics pages' query string."""
        params = {"period": self.period.key}
        if self.team_id:
            params["team"] = str(self.team_id)
        if self.owner_id:
            params["owner"] = str(self.owner_id)
        if self.industry:
            params["industry"] = self.industry
        return params

    def opportunity_query(self) -> dict[str, str]:
        """The same filters as the opportunity list's query string (the drill-downs)."""
        params: dict[str, str] = {}
        if self.team_id:
            params["team"] = str(self.team_id)
        if self.owner_id:
            params["person"] = str(self.owner_id)
        if self.industry:
            params["industry"] = self.industry
        return params


def amount_cny(prefix: str = "") -> Case:
    """The amount in CNY: as recorded for CNY, else × the recorded rate (NULL without one)."""
    return Case(
        When(**{f"{prefix}currency": BASE_CURRENCY}, then=F(f"{prefix}amount")),
        default=ExpressionWrapper(F(f"{prefix}amount") * F(f"{prefix}fx_rate_to_cny"), output_field=MONEY),
        output_field=MONEY,
    )


def _stage_rank(field: str) -> Case:
    """The position of a lifecycle stage (lost and abandoned rank nowhere: -1)."""
    return Case(
        *[When(**{field: stage}, then=Value(rank)) for rank, stage in enumerate(LIFECYCLE)],
        default=Value(-1),
        output_field=IntegerField(),
    )


def _opportunity_q(user: Any, filters: Filters, prefix: str = "") -> Q:
    """Visible to ``user`` and of :func:`chart_teams` (one indexed ``team_id IN``; none for
    every team), as the summary counts: a team-scoped manager's charts leave out another
    team's opportunity they see personally (an owner, on its project team). Then the person
    and the industry."""
    where = opportunity_visibility_q(user, prefix=prefix)
    teams = chart_teams(user, filters)
    if teams is not None:
        where &= Q(**{f"{prefix}team_id__in": teams})
    if filters.owner_id:
        where &= Q(**{f"{prefix}sales_owner_id": filters.owner_id}) | Q(
            **{f"{prefix}presales_owner_id": filters.owner_id}
        )
    if filters.industry:
        where &= Q(**{f"{prefix}customer__industry": filters.industry})
    return where


def opportunities(user: Any, filters: Filters) -> QuerySet[Opportunity]:
    """The opportunities behind the charts: visible to ``user``, of :func:`chart_teams` and
    filtered (:func:`_opportunity_q`)."""
    return Opportunity.objects.filter(_opportunity_q(user, filters)).order_by()


def _ratio(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """A share to four places, None when there is nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"))


def _money(value: Decimal | None) -> Decimal:
    return (value or Decimal(0)).quantize(Decimal("0.01"))


# --- the pipeline ------------------------------------------------------------------------------


def _live_pipeline_funnel(user: Any, filters: Filters) -> list[dict[str, Any]]:
    """Open opportunities now, per stage of the path: ``stage``, ``label``, ``count``,
    ``amount_cny`` and ``unconverted`` (foreign amounts without a rate, not in the sum). The
    period does not apply: the funnel is today's pipeline. One query."""
    rows: dict[Any, Any] = {
        row["stage"]: row
        for row in opportunities(user, filters)
        .filter(stage__in=OPEN_PATH)
        .values("stage")
        .annotate(
            count=Count("pk"),
            amount_cny=Sum(amount_cny()),
            unconverted=Count("pk", filter=~Q(currency=BASE_CURRENCY) & Q(fx_rate_to_cny__isnull=True)),
        )
    }
    return [
        {
            "stage": str(stage),
            "label": str(Stage(stage).label),
            "count": rows.get(stage, {}).get("count", 0),
            "amount_cny": _money(rows.get(stage, {}).get("amount_cny")),
            "unconverted": rows.get(stage, {}).get("unconverted", 0),
        }
        for stage in OPEN_PATH
    ]


def _live_conversion_by_stage(user: Any, filters: Filters) -> list[dict[str, Any]]:
    """Of the opportunities that entered a stage in the period (a stage change into it; lead
    intake: created), how many reached a later stage of the path afterwards (at any time up
    to now; skipping a stage counts as reaching a later one; lost and abandoned do not):
    ``entered``, ``advanced``, ``rate`` (None when none entered). Two queries."""
    period = filters.period
    later = StageChange.objects.filter(opportunity_id=OuterRef("opportunity_id"), at__gt=OuterRef("at"))
    later = later.annotate(rank=_stage_rank("to_stage")).filter(rank__gt=OuterRef("rank"))
    entries = (
        StageChange.objects.filter(_opportunity_q(user, filters, "opportunity__"))
        .filter(at__gte=period.start_at, at__lt=period.end_at, to_stage__in=LIFECYCLE[1:-1])
        .annotate(rank=_stage_rank("to_stage"))
        .annotate(advanced=Exists(later))
        .order_by()
        .values("to_stage")
        .annotate(
            entered=Count("opportunity_id", distinct=True),
            moved=Count("opportunity_id", distinct=True, filter=Q(advanced=True)),
        )
    )
    counts = {row["to_stage"]: (row["entered"], row["moved"]) for row in entries}
    created = (
        opportunities(user, filters)
        .filter(created_at__gte=period.start_at, created_at__lt=period.end_at)
        .aggregate(
            entered=Count("pk"),
            moved=Count(
                "pk",
                filter=Q(
                    Exists(
                        StageChange.objects.filter(opportunity_id=OuterRef("pk"), to_stage__in=LIFECYCLE[1:])
                    )
                ),
            ),
        )
    )
    counts[Stage.LEAD_INTAKE] = (created["entered"], created["moved"])
    return [
        {
            "stage": str(stage),
            "label": str(Stage(stage).label),
            "entered": counts.get(stage, (0, 0))[0],
            "advanced": counts.get(stage, (0, 0))[1],
            "rate": _ratio(counts.get(stage, (0, 0))[1], counts.get(stage, (0, 0))[0]),
        }
        for stage in OPEN_PATH
    ]


def _live_win_rate(user: Any, filters: Filters) -> list[dict[str, Any]]:
    """Opportunities closed in the period (``closed_at``), per team: ``won`` (handoff: the
    contract signed), ``lost``, ``abandoned``, ``closed``, ``rate`` = won ÷ closed (None when
    none closed) and ``won_cny``. A last row ``team_id`` None is the total. One query."""
    period = filters.period
    rows: list[Any] = list(
        opportunities(user, filters)
        .filter(closed_at__gte=period.start_at, closed_at__lt=period.end_at, stage__in=CLOSED)
        .values("team_id", "team__name")
        .annotate(
            closed=Count("pk"),
            won=Count("pk", filter=Q(stage=WON)),
            lost=Count("pk", filter=Q(stage=Stage.LOST)),
            abandoned=Count("pk", filter=Q(stage=Stage.ABANDONED)),
            won_cny=Sum(amount_cny(), filter=Q(stage=WON)),
        )
        .order_by("team__name", "team_id")
    )
    return _win_rows(rows)


def _win_rows(rows: list[Any]) -> list[dict[str, Any]]:
    """Per team rows of counts, then the total (``team_id`` None)."""
    total: dict[str, Any] = {"team_id": None, "team__name": str(_("Total"))}
    for key in ("closed", "won", "lost", "abandoned"):
        total[key] = sum(row[key] for row in rows)
    total["won_cny"] = sum((row["won_cny"] or Decimal(0) for row in rows), Decimal(0))
    return [
        {
            "team_id": row["team_id"],
            "team": row["team__name"],
            "closed": row["closed"],
            "won": row["won"],
            "lost": row["lost"],
            "abandoned": row["abandoned"],
            "rate": _ratio(row["won"], row["closed"]),
            "won_cny": _money(row["won_cny"]),
        }
        for row in [*rows, total]
    ]


class Median(Aggregate):
    """The median (PostgreSQL ``percentile_cont(0.5)``)."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False

    def as_sqlite(
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, tuple[str | int, ...]]:
        """SQLite (the demo database of ``make run``) has no median: shown as "no data"."""
        return "NULL", ()


def _days(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        value = value.total_seconds() / 86400
    return Decimal(str(value)).quantize(Decimal("0.1"))


def _live_cycle_time(user: Any, filters: Filters) -> list[dict[str, Any]]:
    """Days spent in each stage of the path, for the stays that ended in the period: a stage
    change out of a stage ends a stay that began at the previous change of the opportunity
    (or at its creation, for lead intake). ``count``, ``avg_days``, ``median_days`` (None
    without a stay). One query: the previous change is read from the ``(opportunity, at)``
    index per change of the period."""
    period = filters.period
    previous = (
        StageChange.objects.filter(opportunity_id=OuterRef("opportunity_id"), at__lt=OuterRef("at"))
        .order_by("-at")
        .values("at")[:1]
    )
    began = Coalesce(Subquery(previous, output_field=DateTimeField()), F("opportunity__created_at"))
    spent = ExpressionWrapper(F("at") - began, output_field=DurationField())
    rows: dict[Any, Any] = {
        row["from_stage"]: row
        for row in StageChange.objects.filter(_opportunity_q(user, filters, "opportunity__"))
        .filter(at__gte=period.start_at, at__lt=period.end_at, from_stage__in=OPEN_PATH)
        .annotate(spent=spent)
        .order_by()
        .values("from_stage")
        .annotate(count=Count("pk"), avg=Avg("spent"), median=Median("spent", output_field=DurationField()))
    }
    return [
        {
            "stage": str(stage),
            "label": str(Stage(stage).label),
            "count": rows.get(stage, {}).get("count", 0),
            "avg_days": _days(rows.get(stage, {}).get("avg")),
            "median_days": _days(rows.get(stage, {}).get("median")),
        }
        for stage in OPEN_PATH
    ]


def _weight() -> Case:
    """:data:`STAGE_WEIGHTS` as SQL over the row's ``stage``."""
    return Case(
        *[When(stage=stage, then=Value(w)) for stage, w in STAGE_WEIGHTS.items()],
        default=Value(Decimal(0)),
        output_field=DecimalField(max_digits=4, decimal_places=2),
    )


def forecast_months(period: Period) -> list[Period]:
    """The months a forecast shows: the period's months, or six from a month."""
    if period.kind == PeriodKind.MONTH:
        return [period.following(i) for i in range(FORECAST_MONTHS)]
    return period.months()


def _live_forecast(user: Any, filters: Filters) -> list[dict[str, Any]]:
    """Open opportunities by expected close month (:func:`forecast_months`): ``count``,
    ``amount_cny`` and ``weighted_cny`` (× :data:`STAGE_WEIGHTS`). One query."""
    months = forecast_months(filters.period)
    weight = _weight()
    rows: dict[Any, Any] = {
        row["month"]: row
        for row in opportunities(user, filters)
        .filter(stage__in=OPEN_PATH, expected_close__gte=months[0].start, expected_close__lt=months[-1].end)
        .annotate(month=TruncMonth("expected_close"))
        .values("month")
        .annotate(
            count=Count("pk"),
            total=Sum(amount_cny()),
            weighted=Sum(ExpressionWrapper(amount_cny() * weight, output_field=MONEY)),
        )
    }
    return [
        {
            "month": month.key,
            "start": month.start,
            "end": month.end,
            "count": rows.get(month.start, {}).get("count", 0),
            "amount_cny": _money(rows.get(month.start, {}).get("total")),
            "weighted_cny": _money(rows.get(month.start, {}).get("weighted")),
        }
        for month in months
    ]


def _trend_window(filters: Filters, months: int) -> list[Period]:
    return Period(filters.period.months()[-1].start, PeriodKind.MONTH).trend(months)


def _live_trends(user: Any, filters: Filters, months: int = TREND_MONTHS) -> list[dict[str, Any]]:
    """The last ``months`` months ending with the period's last month, oldest first: ``new``
    (opportunities created), ``closed``, ``won``, ``rate`` (won ÷ closed) and ``won_cny``.
    Two queries."""
    window = _trend_window(filters, months)
    start, end = window[0].start_at, window[-1].end_at
    base = opportunities(user, filters)
    created = dict(
        base.filter(created_at__gte=start, created_at__lt=end)
        .annotate(month=TruncMonth("created_at", tzinfo=company_tz()))
        .values_list("month")
        .annotate(n=Count("pk"))
    )
    closed: dict[Any, Any] = {
        row["month"]: row
        for row in base.filter(closed_at__gte=start, closed_at__lt=end, stage__in=CLOSED)
        .annotate(month=TruncMonth("closed_at", tzinfo=company_tz()))
        .values("month")
        .annotate(
            closed=Count("pk"),
            won=Count("pk", filter=Q(stage=WON)),
            won_cny=Sum(amount_cny(), filter=Q(stage=WON)),
        )
    }
    created_by_day = {key.date(): value for key, value in created.items()}
    closed_by_day = {key.date(): value for key, value in closed.items()}
    result = []
    for month in window:
        row = closed_by_day.get(month.start, {})
        result.append(
            {
                "month": month.key,
                "start": month.start,
                "end": month.end,
                "new": created_by_day.get(month.start, 0),
                "closed": row.get("closed", 0),
                "won": row.get("won", 0),
                "rate": _ratio(row.get("won", 0), row.get("closed", 0)),
                "won_cny": _money(row.get("won_cny")),
            }
        )
    return result


# --- the deadlines, the money, the reviews -----------------------------------------------------


def overdue_timers(user: Any, filters: Filters, *, now: Any = None) -> list[dict[str, Any]]:
    """Timers past due per kind and owner: ``count`` and ``oldest_due``; from the summary (as
    of its computation) when it applies, else live (:func:`_live_overdue_timers`)."""
    teams = summary_teams(user, filters) if now is None else LIVE
    if teams is LIVE:
        return _live_overdue_timers(user, filters, now=now)
    rows = (
        _summary(SummaryMeasure.OVERDUE, teams)
        .values("stage", "person_id", "person__display_name", "person__username")
        .annotate(n=Sum("count"), oldest=Min("seconds"))
        .order_by("-n", "stage", "person__username")
    )
    return [
        {
            "kind": row["stage"],
            "kind_label": str(kind_label(row["stage"])),
            "owner_id": row["person_id"],
            "owner": row["person__display_name"] or row["person__username"],
            "count": row["n"],
            "oldest_due": datetime.fromtimestamp(row["oldest"], tz=UTC) if row["oldest"] else None,
        }
        for row in rows[:200]
    ]


def _live_overdue_timers(user: Any, filters: Filters, *, now: Any = None) -> list[dict[str, Any]]:
    """Open timers past due that ``user`` sees (their own, their teams' as a manager, all for
    the general manager), per kind and owner: ``count`` and ``oldest_due``. The period does
    not apply (overdue is now). Only the timers of :func:`chart_teams` count (as in the
    summary: not another team's timer a team-scoped manager owns); person filters the
    timer's owner. One query."""
    timers = Timer.objects.visible_to(user).overdue(now or timezone.now())
    teams = chart_teams(user, filters)
    if teams is not None:
        timers = timers.filter(team_id__in=teams)
    if filters.owner_id:
        timers = timers.filter(owner_id=filters.owner_id)
    rows = (
        timers.order_by()
        .values("kind", "owner_id", "owner__display_name", "owner__username")
        .annotate(count=Count("pk"), oldest_due=Min("due_at"))
        .order_by("-count", "kind", "owner__username")
    )
    return [
        {
            "kind": row["kind"],
            "kind_label": str(kind_label(row["kind"])),
            "owner_id": row["owner_id"],
            "owner": row["owner__display_name"] or row["owner__username"],
            "count": row["count"],
            "oldest_due": row["oldest_due"],
        }
        for row in rows[:200]
    ]


def receivables(user: Any, filters: Filters) -> list[dict[str, Any]]:
    """What the visible signed contracts still owe, per team and currency, with the ageing
    buckets of ``bids.payments.selectors`` (amounts in different currencies are not added).
    Team and person (the contract's sales owner) filter; the period does not apply. One query."""
    instalments = payments.receivable_instalments(user)
    if filters.team_id:
        instalments = instalments.filter(plan__contract__opportunity__team_id=filters.team_id)
    if filters.owner_id:
        instalments = instalments.filter(plan__contract__opportunity__sales_owner_id=filters.owner_id)
    if filters.industry:
        instalments = instalments.filter(plan__contract__opportunity__customer__industry=filters.industry)
    rows = payments.receivables(instalments, group=ReceivablesGroup.TEAM)
    return [
        {
            "team_id": row[f"{payments.OPP}team_id"],
            "team": row[f"{payments.OPP}team__name"],
            "currency": row["plan__contract__currency"],
            **{name: _money(row[name]) for name in payments.FIGURES},
        }
        for row in rows[:200]
    ]


def _live_review_turnaround(user: Any, filters: Filters) -> list[dict[str, Any]]:
    """Review tasks decided in the period on the reviews ``user`` sees, per approver: ``count``,
    ``avg_hours`` and ``median_hours`` from the task's opening to its decision in working
    hours: the elapsed hours less 24 for each whole day off (company calendar) between the
    two days (days off are read for the period and the ``TURNAROUND_LOOKBACK_DAYS`` before).
    Only the reviews of :func:`chart_teams` count (as in the summary), ``teams`` in each row;
    person filters the approver. One query (plus the calendar's two)."""
    period = filters.period
    days_off = non_working_days(period.start - timedelta(days=TURNAROUND_LOOKBACK_DAYS), period.end)
    tz = str(company_tz())
    if connection.vendor != "postgresql":  # SQLite (make run): elapsed hours, days off not deducted
        working_hours = RawSQL(
            "((julianday(reviews_reviewtask.decided_at) - julianday(reviews_reviewtask.opened_at)) * 24.0)",
            (),
            output_field=FloatField(),
        )
        return _turnaround_rows(user, filters, period, working_hours)
    working_hours = RawSQL(
        "(EXTRACT(EPOCH FROM (reviews_reviewtask.decided_at - reviews_reviewtask.opened_at)) / 3600.0"
        " - 24 * (SELECT count(*) FROM unnest(%s::date[]) AS d"
        " WHERE d > (reviews_reviewtask.opened_at AT TIME ZONE %s)::date"
        " AND d < (reviews_reviewtask.decided_at AT TIME ZONE %s)::date))",
        ([d.isoformat() for d in days_off], tz, tz),
        output_field=FloatField(),
    )
    return _turnaround_rows(user, filters, period, working_hours)


def _turnaround_rows(user: Any, filters: Filters, period: Period, working_hours: Any) -> list[dict[str, Any]]:
    tasks = ReviewTask.objects.filter(
        decided_at__gte=period.start_at,
        decided_at__lt=period.end_at,
        opened_at__isnull=False,
        state__in=[TaskState.APPROVED, TaskState.REJECTED],
        review__in=Review.objects.visible_to(user).values("pk"),
    )
    teams = chart_teams(user, filters)
    if teams is not None:
        tasks = tasks.filter(review__team_id__in=teams)
    if filters.owner_id:
        tasks = tasks.filter(approver_id=filters.owner_id)
    rows = (
        tasks.annotate(hours=working_hours)
        .order_by()
        .values("approver_id", "approver__display_name", "approver__username")
        .annotate(count=Count("pk"), avg=Avg("hours"), median=Median("hours", output_field=FloatField()))
        .order_by("approver__username", "approver_id")
    )

    def hours(value: float | None) -> Decimal | None:
        return None if value is None else Decimal(str(max(value, 0.0))).quantize(Decimal("0.1"))

    return [
        {
            "approver_id": row["approver_id"],
            "approver": row["approver__display_name"] or row["approver__username"],
            "teams": teams,
            "count": row["count"],
            "avg_hours": hours(row["avg"]),
            "median_hours": hours(row["median"]),
        }
        for row in rows[:200]
    ]


def freshness() -> Any:
    """When the figures were computed: now (the selectors read the live tables)."""
    return timezone.now()


# --- the summary (kpi/analytics/summary.py) ----------------------------------------------------

LIVE = None


def chart_teams(user: Any, filters: Filters) -> list[int] | None:
    """The teams whose records a chart counts for ``user`` and ``filters``: None for every
    team (all scope, no team chosen), else the chosen team or, for team scope, the user's
    teams (home and managed; ``[]``: none). A team-scoped manager's figures are their teams'
    even where they see a record of another team personally (e.g. as a review's approver)."""
    scope = scope_of(user)
    if scope is None:
        return []
    if scope == Scope.ALL:
        return [filters.team_id] if filters.team_id else None
    teams = sorted(user.team_ids)
    if filters.team_id:
        return [filters.team_id] if filters.team_id in teams else []
    return teams


def summary_teams(user: Any, filters: Filters) -> list[int] | None:
    """The teams the summary answers for ``user`` and ``filters`` (:func:`chart_teams`;
    ``[-1]``: every team), or None when the figures are computed live: no summary yet, or
    filtered by a person or an industry (the summary is kept per team only)."""
    if filters.owner_id or filters.industry or summary.computed_at() is None:
        return LIVE
    teams = chart_teams(user, filters)
    return [-1] if teams is None else teams


def _summary(measure: str, teams: list[int], period: Period | None = None) -> QuerySet[AnalyticsSummary]:
    rows = AnalyticsSummary.objects.filter(measure=measure).order_by()
    if teams != [-1]:
        rows = rows.filter(team_id__in=teams)
    if period is not None:
        rows = rows.filter(month__gte=period.start, month__lt=period.end)
    return rows


def _weighted_median(row: Any) -> float | None:
    return row["median_weight"] / row["n"] if row.get("n") and row.get("median_weight") is not None else None


MEDIAN_WEIGHT = Sum(F("median_seconds") * F("count"), output_field=FloatField())


def pipeline_funnel(user: Any, filters: Filters) -> list[dict[str, Any]]:
    """Open opportunities now, per stage of the path: ``stage``, ``label``, ``count``,
    ``amount_cny`` and ``unconverted`` (foreign amounts without a rate, not in the sum)."""
    teams = summary_teams(user, filters)
    if teams is LIVE:
        return _live_pipeline_funnel(user, filters)
    rows: dict[Any, Any] = {
        row["stage"]: row
        for row in _summary(SummaryMeasure.OPEN, teams)
        .values("stage")
        .annotate(n=Sum("count"), total=Sum("amount"), unconverted=Sum("further"))
    }
    return [
        {
            "stage": str(stage),
            "label": str(Stage(stage).label),
            "count": rows.get(stage, {}).get("n") or 0,
            "amount_cny": _money(rows.get(stage, {}).get("total")),
            "unconverted": rows.get(stage, {}).get("unconverted") or 0,
        }
        for stage in OPEN_PATH
    ]


def conversion_by_stage(user: Any, filters: Filters) -> list[dict[str, Any]]:
    """Of the opportunities that entered a stage in the period (lead intake: created), how many
    reached a later stage afterwards: ``entered``, ``advanced``, ``rate`` (None when none)."""
    teams = summary_teams(user, filters)
    if teams is LIVE:
        return _live_conversion_by_stage(user, filters)
    rows: dict[Any, Any] = {
        row["stage"]: row
        for row in _summary(SummaryMeasure.ENTERED, teams, filters.period)
        .values("stage")
        .annotate(n=Sum("count"), moved=Sum("further"))
    }
    result = []
    for stage in OPEN_PATH:
        entered, moved = rows.get(stage, {}).get("n") or 0, rows.get(stage, {}).get("moved") or 0
        result.append(
            {
                "stage": str(stage),
                "label": str(Stage(stage).label),
                "entered": entered,
                "advanced": moved,
                "rate": _ratio(moved, entered),
            }
        )
    return result


def win_rate(user: Any, filters: Filters) -> list[dict[str, Any]]:
    """Closed in the period per team: ``won``, ``lost``, ``abandoned``, ``closed``, ``rate`` =
    won ÷ closed (None when none closed), ``won_cny``; the last row (``team_id`` None) is the total."""
    teams = summary_teams(user, filters)
    if teams is LIVE:
        return _live_win_rate(user, filters)
    rows = (
        _summary(SummaryMeasure.CLOSED, teams, filters.period)
        .values("team_id", "team__name")
        .annotate(
            closed=Sum("count"),
            won=Sum("count", filter=Q(stage=WON)),
            lost=Sum("count", filter=Q(stage=Stage.LOST)),
            abandoned=Sum("count", filter=Q(stage=Stage.ABANDONED)),
            won_cny=Sum("amount", filter=Q(stage=WON)),
        )
        .order_by("team__name", "team_id")
    )
    return _win_rows([{**row, **{k: row[k] or 0 for k in ("won", "lost", "abandoned")}} for row in rows])


def cycle_time(user: Any, filters: Filters) -> list[dict[str, Any]]:
    """Days spent in each stage of the path, for the stays that ended in the period: ``count``,
    ``avg_days``, ``median_days`` (from the summary: the count-weighted mean of the medians
    per team and month; exact for one team and one month)."""
    teams = summary_teams(user, filters)
    if teams is LIVE:
        return _live_cycle_time(user, filters)
    rows: dict[Any, Any] = {
        row["stage"]: row
        for row in _summary(SummaryMeasure.STAY, teams, filters.period)
        .values("stage")
        .annotate(n=Sum("count"), seconds=Sum("seconds"), median_weight=MEDIAN_WEIGHT)
    }

    def days(seconds: float | None) -> Decimal | None:
        return None if seconds is None else _days(seconds / 86400)

    result = []
    for stage in OPEN_PATH:
        row = rows.get(stage, {})
        count = row.get("n") or 0
        result.append(
            {
                "stage": str(stage),
                "label": str(Stage(stage).label),
                "count": count,
                "avg_days": days(row["seconds"] / count) if count else None,
                "median_days": days(_weighted_median(row)),
            }
        )
    return result


def forecast(user: Any, filters: Filters) -> list[dict[str, Any]]:
    """Open opportunities by expected close month (:func:`forecast_months`): ``count``,
    ``amount_cny`` and ``weighted_cny`` (× :data:`STAGE_WEIGHTS`)."""
    teams = summary_teams(user, filters)
    if teams is LIVE:
        return _live_forecast(user, filters)
    months = forecast_months(filters.period)
    window = Period(months[0].start, PeriodKind.MONTH)
    rows: dict[Any, Any] = {
        row["month"]: row
        for row in _summary(SummaryMeasure.FORECAST, teams)
        .filter(month__gte=window.start, month__lt=months[-1].end)
        .values("month")
        .annotate(
            n=Sum("count"),
            total=Sum("amount"),
            weighted=Sum(ExpressionWrapper(F("amount") * _weight(), output_field=MONEY)),
        )
    }
    return [
        {
            "month": month.key,
            "start": month.start,
            "end": month.end,
            "count": rows.get(month.start, {}).get("n") or 0,
            "amount_cny": _money(rows.get(month.start, {}).get("total")),
            "weighted_cny": _money(rows.get(month.start, {}).get("weighted")),
        }
        for month in months
    ]


def trends(user: Any, filters: Filters, months: int = TREND_MONTHS) -> list[dict[str, Any]]:
    """The last ``months`` months ending with the period's last month, oldest first: ``new``,
    ``closed``, ``won``, ``rate`` (won ÷ closed) and ``won_cny``."""
    teams = summary_teams(user, filters)
    if teams is LIVE:
        return _live_trends(user, filters, months)
    window = _trend_window(filters, months)
    rows: dict[Any, Any] = {
        row["month"]: row
        for row in AnalyticsSummary.objects.filter(
            Q(measure=SummaryMeasure.CREATED) | Q(measure=SummaryMeasure.CLOSED),
            month__gte=window[0].start,
            month__lt=window[-1].end,
            **({} if teams == [-1] else {"team_id__in": teams}),
        )
        .order_by()
        .values("month")
        .annotate(
            new=Sum("count", filter=Q(measure=SummaryMeasure.CREATED)),
            closed=Sum("count", filter=Q(measure=SummaryMeasure.CLOSED)),
            won=Sum("count", filter=Q(measure=SummaryMeasure.CLOSED, stage=WON)),
            won_cny=Sum("amount", filter=Q(measure=SummaryMeasure.CLOSED, stage=WON)),
        )
    }
    result = []
    for month in window:
        row = rows.get(month.start, {})
        won, closed = row.get("won") or 0, row.get("closed") or 0
        result.append(
            {
                "month": month.key,
                "start": month.start,
                "end": month.end,
                "new": row.get("new") or 0,
                "closed": closed,
                "won": won,
                "rate": _ratio(won, closed),
                "won_cny": _money(row.get("won_cny")),
            }
        )
    return result


def review_turnaround(user: Any, filters: Filters) -> list[dict[str, Any]]:
    """Review tasks decided in the period per approver: ``count``, ``avg_hours`` and
    ``median_hours`` in working hours (see :func:`_live_review_turnaround`), and ``teams``,
    the teams whose reviews the row counts (None: every team; the drill-down's filter)."""
    teams = summary_teams(user, filters)
    if teams is LIVE:
        return _live_review_turnaround(user, filters)
    rows = (
        _summary(SummaryMeasure.REVIEW, teams, filters.period)
        .values("person_id", "person__display_name", "person__username")
        .annotate(n=Sum("count"), seconds=Sum("seconds"), median_weight=MEDIAN_WEIGHT)
        .order_by("person__username", "person_id")
    )

    def hours(seconds: float | None) -> Decimal | None:
        return None if seconds is None else Decimal(str(max(seconds / 3600, 0.0))).quantize(Decimal("0.1"))

    return [
        {
            "approver_id": row["person_id"],
            "approver": row["person__display_name"] or row["person__username"],
            "teams": None if teams == [-1] else teams,
            "count": row["n"],
            "avg_hours": hours(row["seconds"] / row["n"]) if row["n"] else None,
            "median_hours": hours(_weighted_median(row)),
        }
        for row in rows[:200]
    ]
