"""The analytics' summary table (R-KPI-3, ``kpi.AnalyticsSummary``): aggregates of the
opportunities, their stage history and the review tasks of the last :data:`MONTHS_KEPT` months.

:func:`refresh_summary` keeps it current every 15 minutes (``refresh_analytics_summary_task``)
incrementally: database triggers (kpi migration 0009) leave an ``AnalyticsChange`` mark for
every team and month a write touched (any route: services, admin, bulk updates, SQL), and the
refresh recomputes only those (team, month) groups and the touched teams' open pipeline, plus
the overdue timers (they change with the clock). A full rebuild runs the first time, nightly
(``rebuild_analytics_summary_task``) and on demand (``manage.py refresh_analytics_summary
--full``); it also catches what no trigger sees (a changed company calendar, a deleted team).
Both paths run the same statements, restricted or not, so an incremental refresh ends with the
rows a full rebuild writes (tests/kpi/analytics/test_summary_incremental.py).

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

# The measures each kind of change mark recomputes (kpi.models.ChangeKind), as (measure,
# extra condition on the row): the lead-intake entries go with the creations.
_RECOMPUTED = {
    "forecast": (("forecast", ""),),
    "created": (("created", ""), ("entered", "s.stage = 'lead_intake'")),
    "closed": (("closed", ""),),
    "entered": (("entered", "s.stage <> 'lead_intake' AND s.stage = d.stage"),),
    "stay": (("stay", "s.stage = d.stage"),),
    "review": (("review", ""),),
}
_WINDOWED = ("created", "closed", "entered", "stay", "review")  # forecast: any close month


def _window(column: str, team: str, kind: str, *, incremental: bool, stage: str = "") -> str:
    """``column`` in the kept months; incrementally, also in one of the (team, month) keys
    (with ``stage``: (team, month, stage)) of the ``kind`` of mark."""
    condition = f"{column} >= %(since)s"
    if incremental:
        condition += (
            f" AND EXISTS (SELECT 1 FROM kpi_summary_keys d WHERE d.kind = '{kind}'"
            f" AND d.team = coalesce({team}, -1) AND {column} >= d.start_at AND {column} < d.end_at"
            + (f" AND d.stage = {stage}" if stage else "")
            + ")"
        )
    return condition


def _statements(*, incremental: bool) -> tuple[str, ...]:
    """The summary's INSERTs; ``incremental``: only the rows of the recomputed keys."""

    def window(column: str, team: str, kind: str, stage: str = "") -> str:
        return _window(column, team, kind, incremental=incremental, stage=stage)

    pipeline = " AND o.team_id IN (SELECT team FROM kpi_summary_teams)" if incremental else ""
    forecast = (
        " AND EXISTS (SELECT 1 FROM kpi_summary_keys d WHERE d.kind = 'forecast' AND d.team = o.team_id"
        " AND d.month = date_trunc('month', o.expected_close)::date)"
        if incremental
        else ""
    )
    return (
        # Today's pipeline per team and stage; "further" holds the amounts without a rate.
        _INSERT
        + f"""SELECT 'open', NULL, o.team_id, o.stage, NULL, count(*),
            count(*) FILTER (WHERE o.currency <> '{BASE_CURRENCY}' AND o.fx_rate_to_cny IS NULL),
            coalesce(sum({_CNY}), 0), 0, NULL, %(now)s
        FROM presales_opportunity o WHERE o.stage IN {_OPEN}{pipeline} GROUP BY o.team_id, o.stage""",
        # Open by expected close month (the weights are applied when read).
        _INSERT
        + f"""SELECT 'forecast', date_trunc('month', o.expected_close)::date, o.team_id, o.stage, NULL, count(*),
            0, coalesce(sum({_CNY}), 0), 0, NULL, %(now)s
        FROM presales_opportunity o WHERE o.stage IN {_OPEN} AND o.expected_close IS NOT NULL{forecast}
        GROUP BY 2, o.team_id, o.stage""",
        _INSERT
        + f"""SELECT 'created', {_month("o.created_at")}, o.team_id, '', NULL, count(*), 0, 0, 0, NULL, %(now)s
        FROM presales_opportunity o WHERE {window("o.created_at", "o.team_id", "created")} GROUP BY 2, o.team_id""",
        _INSERT
        + f"""SELECT 'closed', {_month("o.closed_at")}, o.team_id, o.stage, NULL, count(*), 0,
            coalesce(sum({_CNY}), 0), 0, NULL, %(now)s
        FROM presales_opportunity o
        WHERE {window("o.closed_at", "o.team_id", "closed")} AND o.stage IN ('handoff', 'lost', 'abandoned')
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
            WHERE {window("sc.at", "o.team_id", "entered", "sc.to_stage")} AND sc.to_stage IN {_OPEN} AND sc.to_stage <> 'lead_intake'
            UNION ALL
            SELECT {_month("o.created_at")}, o.team_id, 'lead_intake', o.id,
                EXISTS (SELECT 1 FROM presales_stagechange l WHERE l.opportunity_id = o.id
                        AND l.to_stage <> 'lead_intake' AND l.to_stage = ANY({_LIFE}))
            FROM presales_opportunity o WHERE {window("o.created_at", "o.team_id", "created")}
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
            WHERE {window("sc.at", "o.team_id", "stay", "sc.from_stage")} AND sc.from_stage IN {_OPEN}
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
            WHERE {window("k.decided_at", "r.team_id", "review")} AND k.opened_at IS NOT NULL
              AND k.approver_id IS NOT NULL AND k.state IN ('approved', 'rejected')
        ) t GROUP BY t.month, t.team_id, t.approver_id""",
        _OVERDUE,
    )


# Timers overdue now, per team, kind and owner (the oldest due time as a Unix time): they
# change with the clock, so every refresh recomputes them all.
_OVERDUE = (
    _INSERT
    + """SELECT 'overdue', NULL, t.team_id, t.kind, t.owner_id, count(*), 0, 0,
    EXTRACT(EPOCH FROM min(t.due_at)), NULL, %(now)s
FROM presales_timer t WHERE t.state = 'open' AND t.due_at <= %(now)s
GROUP BY t.team_id, t.kind, t.owner_id"""
)

STATEMENTS = _statements(incremental=False)
INCREMENTAL_STATEMENTS = _statements(incremental=True)

# The marks left since the last refresh become the keys to recompute: (kind, team, month,
# stage: entries and stays only) with the month's bounds in the company's time zone, and the teams whose open pipeline
# changed. A mark written by a transaction still open stays for the next refresh (it is not
# visible to the DELETE); a NULL team is -1 so that keys compare with "=".
_KEYS = (
    "DROP TABLE IF EXISTS kpi_summary_marks, kpi_summary_keys, kpi_summary_teams",
    """CREATE TEMP TABLE kpi_summary_marks ON COMMIT DROP AS
       SELECT kind, team_id, at, day, stage FROM kpi_analyticschange LIMIT 0""",
    """WITH gone AS (DELETE FROM kpi_analyticschange RETURNING kind, team_id, at, day, stage)
       INSERT INTO kpi_summary_marks SELECT DISTINCT kind, team_id, at, day, stage FROM gone""",
    """CREATE TEMP TABLE kpi_summary_keys ON COMMIT DROP AS
       SELECT k.kind, k.team, k.month, k.stage, (k.month::timestamp AT TIME ZONE %(tz)s) AS start_at,
              ((k.month + interval '1 month')::timestamp AT TIME ZONE %(tz)s) AS end_at
       FROM (SELECT DISTINCT kind, coalesce(team_id, -1) AS team, stage,
                    CASE WHEN at IS NOT NULL THEN date_trunc('month', at AT TIME ZONE %(tz)s)::date
                         ELSE date_trunc('month', day)::date END AS month
             FROM kpi_summary_marks WHERE kind <> 'open' AND (at IS NOT NULL OR day IS NOT NULL)) k""",
    """CREATE TEMP TABLE kpi_summary_teams ON COMMIT DROP AS
       SELECT DISTINCT coalesce(team_id, -1) AS team FROM kpi_summary_marks WHERE kind = 'open'""",
    "ANALYZE kpi_summary_keys",
    "ANALYZE kpi_summary_teams",
    *(
        f"""DELETE FROM kpi_analyticssummary s USING kpi_summary_keys d
            WHERE d.kind = '{kind}' AND s.measure = '{measure}' AND s.month = d.month
              AND coalesce(s.team_id, -1) = d.team{f" AND {condition}" if condition else ""}"""
        for kind, measures in _RECOMPUTED.items()
        for measure, condition in measures
    ),
    """DELETE FROM kpi_analyticssummary WHERE measure = 'open'
        AND coalesce(team_id, -1) IN (SELECT team FROM kpi_summary_teams)""",
    "DELETE FROM kpi_analyticssummary WHERE measure = 'overdue'",
    # The months that slid out of the window.
    f"""DELETE FROM kpi_analyticssummary
        WHERE measure IN ({", ".join(f"'{m}'" for m in _WINDOWED)}) AND month < %(since_month)s""",
)


def summary_start(today: datetime | None = None) -> Period:
    """The first month the summary keeps."""
    current = Period.containing(timezone.localdate(today), PeriodKind.MONTH)
    return current.previous(MONTHS_KEPT - 1)


@transaction.atomic
def refresh_summary(*, now: datetime | None = None, full: bool = False) -> int:
    """Bring the summary up to date in one transaction (readers see the old rows until it
    commits): only the (team, month) groups and pipelines marked since the last refresh, or
    everything when ``full`` or when the summary was never built. Returns the number of rows."""
    now = now or timezone.now()
    start = summary_start(now)
    days_off = non_working_days(
        start.start - timedelta(days=TURNAROUND_LOOKBACK_DAYS), timezone.localdate(now) + timedelta(days=1)
    )
    params: dict[str, Any] = {
        "now": now,
        "since": start.start_at,
        "since_month": start.start,
        "tz": str(company_tz()),
        "days_off": [d.isoformat() for d in days_off],
    }
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE kpi_analyticssummary IN EXCLUSIVE MODE")
        if not full:  # never built (or empty): build it whole
            cursor.execute("SELECT EXISTS (SELECT 1 FROM kpi_analyticssummary)")
            full = not cursor.fetchone()[0]
        if full:
            # Marks older than this snapshot are covered by the rebuild.
            cursor.execute("DELETE FROM kpi_analyticschange")
            cursor.execute("DELETE FROM kpi_analyticssummary")
            for statement in STATEMENTS:
                cursor.execute(statement, params)
        else:
            for statement in _KEYS:
                cursor.execute(statement, params)
            for statement in INCREMENTAL_STATEMENTS:
                cursor.execute(statement, params)
            # Every row is current as of this refresh (the page shows when it was computed).
            cursor.execute(
                "UPDATE kpi_analyticssummary SET computed_at = %(now)s WHERE computed_at <> %(now)s", params
            )
    return AnalyticsSummary.objects.count()


def computed_at() -> datetime | None:
    """When the summary was last rebuilt (None: never; the charts are then computed live)."""
    row = AnalyticsSummary.objects.order_by().values_list("computed_at", flat=True).first()
    return row
