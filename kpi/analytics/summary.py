"""The analytics' summary table (R-KPI-3, ``kpi.AnalyticsSummary``): rebuilt in one transaction
by :func:`refresh_summary` from the opportunities, their stage history and the review tasks of
the last :data:`MONTHS_KEPT` months (a few seconds at a million opportunities), every 15
minutes by ``refresh_analytics_summary_task``.

The selectors read it when it exists and the filters are those it is kept by (period and
team): a manager's figures are then those of their teams (home and managed), the general
manager's all teams'. Filtered by a person or an industry, the figures are computed live from
the records the caller sees. Definitions are the live selectors' (kpi/analytics/selectors.py):
the same numbers on the same data (tests/kpi/analytics/test_summary.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from kpi.models import AnalyticsSummary
from kpi.periods import Period, PeriodKind
from opportunities.choices import LIFECYCLE
from presales.core.money import BASE_CURRENCY
from presales.sla.calendar import WorkCalendar, company_tz

MONTHS_KEPT = 25
TURNAROUND_LOOKBACK_DAYS = 120  # days off are counted this far before the first month


def non_working_days(start: date, end: date) -> list[date]:
    """The company calendar's days off in [start, end) (weekends, holidays, company days)."""
    calendar = WorkCalendar()
    days, day = [], start
    while day < end:
        if not calendar.is_workday(day):
            days.append(day)
        day += timedelta(days=1)
    return days


_LIFE = "ARRAY[" + ",".join(f"'{stage}'" for stage in LIFECYCLE) + "]::text[]"
_OPEN = "(" + ",".join(f"'{stage}'" for stage in LIFECYCLE[:-1]) + ")"
_CNY = f"CASE WHEN o.currency = '{BASE_CURRENCY}' THEN o.amount ELSE o.amount * o.fx_rate_to_cny END"


def _month(column: str) -> str:
    return f"date_trunc('month', {column} AT TIME ZONE %(tz)s)::date"


_INSERT = (
    "INSERT INTO kpi_analyticssummary (measure, month, team_id, stage, person_id, count, further, amount,"
    " seconds, median_seconds, computed_at) "
)

STATEMENTS = (
    # Today's pipeline per team and stage; "further" holds the amounts without a rate.
    _INSERT
    + f"""SELECT 'open', NULL, o.team_id, o.stage, NULL, count(*),
        count(*) FILTER (WHERE o.currency <> '{BASE_CURRENCY}' AND o.fx_rate_to_cny IS NULL),
        coalesce(sum({_CNY}), 0), 0, NULL, %(now)s
    FROM presales_opportunity o WHERE o.stage IN {_OPEN} GROUP BY o.team_id, o.stage""",
    # Open by expected close month (the weights are applied when read).
    _INSERT
    + f"""SELECT 'forecast', date_trunc('month', o.expected_close)::date, o.team_id, o.stage, NULL, count(*), 0,
        coalesce(sum({_CNY}), 0), 0, NULL, %(now)s
    FROM presales_opportunity o WHERE o.stage IN {_OPEN} AND o.expected_close IS NOT NULL
    GROUP BY 2, o.team_id, o.stage""",
    _INSERT
    + f"""SELECT 'created', {_month("o.created_at")}, o.team_id, '', NULL, count(*), 0, 0, 0, NULL, %(now)s
    FROM presales_opportunity o WHERE o.created_at >= %(since)s GROUP BY 2, o.team_id""",
    _INSERT
    + f"""SELECT 'closed', {_month("o.closed_at")}, o.team_id, o.stage, NULL, count(*), 0,
        coalesce(sum({_CNY}), 0), 0, NULL, %(now)s
    FROM presales_opportunity o WHERE o.closed_at >= %(since)s AND o.stage IN ('handoff', 'lost', 'abandoned')
    GROUP BY 2, o.team_id, o.stage""",
    # Entries into a stage (lead intake: the creation) and whether a later stage was reached.
    _INSERT
    + f"""SELECT 'entered', e.month, e.team_id, e.stage, NULL, count(DISTINCT e.opp),
        count(DISTINCT e.opp) FILTER (WHERE e.further), 0, 0, NULL, %(now)s
    FROM (
        SELECT {_month("sc.at")} AS month, o.team_id, sc.to_stage AS stage, sc.opportunity_id AS opp,
            EXISTS (SELECT 1 FROM presales_stagechange l WHERE l.opportunity_id = sc.opportunity_id
                    AND l.at > sc.at
                    AND coalesce(array_position({_LIFE}, l.to_stage::text), 0)
                        > array_position({_LIFE}, sc.to_stage::text)) AS further
        FROM presales_stagechange sc JOIN presales_opportunity o ON o.id = sc.opportunity_id
        WHERE sc.at >= %(since)s AND sc.to_stage IN {_OPEN} AND sc.to_stage <> 'lead_intake'
        UNION ALL
        SELECT {_month("o.created_at")}, o.team_id, 'lead_intake', o.id,
            EXISTS (SELECT 1 FROM presales_stagechange l WHERE l.opportunity_id = o.id
                    AND l.to_stage <> 'lead_intake' AND l.to_stage = ANY({_LIFE}))
        FROM presales_opportunity o WHERE o.created_at >= %(since)s
    ) e GROUP BY e.month, e.team_id, e.stage""",
    # Stays that ended: from the previous change (or the creation) to this change.
    _INSERT
    + f"""SELECT 'stay', s.month, s.team_id, s.stage, NULL, count(*), 0, 0, sum(s.secs),
        percentile_cont(0.5) WITHIN GROUP (ORDER BY s.secs), %(now)s
    FROM (
        SELECT {_month("sc.at")} AS month, o.team_id, sc.from_stage AS stage,
            EXTRACT(EPOCH FROM sc.at - coalesce(
                (SELECT max(p.at) FROM presales_stagechange p
                 WHERE p.opportunity_id = sc.opportunity_id AND p.at < sc.at), o.created_at)) AS secs
        FROM presales_stagechange sc JOIN presales_opportunity o ON o.id = sc.opportunity_id
        WHERE sc.at >= %(since)s AND sc.from_stage IN {_OPEN}
    ) s GROUP BY s.month, s.team_id, s.stage""",
    # Review decisions per approver, in working hours (days off of the company calendar).
    _INSERT
    + f"""SELECT 'review', t.month, t.team_id, '', t.approver_id, count(*), 0, 0, sum(t.secs),
        percentile_cont(0.5) WITHIN GROUP (ORDER BY t.secs), %(now)s
    FROM (
        SELECT {_month("k.decided_at")} AS month, r.team_id, k.approver_id,
            EXTRACT(EPOCH FROM k.decided_at - k.opened_at) - 86400 * (
                SELECT count(*) FROM unnest(%(days_off)s::date[]) AS d
                WHERE d > (k.opened_at AT TIME ZONE %(tz)s)::date
                  AND d < (k.decided_at AT TIME ZONE %(tz)s)::date) AS secs
        FROM reviews_reviewtask k JOIN reviews_review r ON r.id = k.review_id
        WHERE k.decided_at >= %(since)s AND k.opened_at IS NOT NULL AND k.approver_id IS NOT NULL
          AND k.state IN ('approved', 'rejected')
    ) t GROUP BY t.month, t.team_id, t.approver_id""",
    # Timers overdue now, per team, kind and owner (the oldest due time as a Unix time).
    _INSERT
    + """SELECT 'overdue', NULL, t.team_id, t.kind, t.owner_id, count(*), 0, 0,
        EXTRACT(EPOCH FROM min(t.due_at)), NULL, %(now)s
    FROM presales_timer t WHERE t.state = 'open' AND t.due_at <= %(now)s
    GROUP BY t.team_id, t.kind, t.owner_id""",
)


def summary_start(today: datetime | None = None) -> Period:
    """The first month the summary keeps."""
    current = Period.containing(timezone.localdate(today), PeriodKind.MONTH)
    return current.previous(MONTHS_KEPT - 1)


@transaction.atomic
def refresh_summary(*, now: datetime | None = None) -> int:
    """Rebuild the whole summary in one transaction (readers see the old rows until it commits).
    Returns the number of rows written."""
    now = now or timezone.now()
    start = summary_start(now)
    days_off = non_working_days(
        start.start - timedelta(days=TURNAROUND_LOOKBACK_DAYS), timezone.localdate(now) + timedelta(days=1)
    )
    params: dict[str, Any] = {
        "now": now,
        "since": start.start_at,
        "tz": str(company_tz()),
        "days_off": [d.isoformat() for d in days_off],
    }
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE kpi_analyticssummary IN EXCLUSIVE MODE")
        cursor.execute("DELETE FROM kpi_analyticssummary")
        for statement in STATEMENTS:
            cursor.execute(statement, params)
    return AnalyticsSummary.objects.count()


def computed_at() -> datetime | None:
    """When the summary was last rebuilt (None: never; the charts are then computed live)."""
    row = AnalyticsSummary.objects.order_by().values_list("computed_at", flat=True).first()
    return row
