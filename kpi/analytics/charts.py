"""The analytics' charts (R-KPI-3) as data: each names its selector, its table's columns, the
ECharts series it draws and the drill-down URL of each point (the records behind it). The
pages, the CSV exports and the API read the same definitions, so a figure means one thing.

A chart's ``spec`` is what ``static/js/charts.js`` turns into an ECharts option:
``{"type": "funnel"|"bar"|"line"|"pie", "categories": [...], "series": [{"name", "data",
"type"?, "axis"?}], "links": [url per category], "unit": ...}``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kpi.analytics import selectors
from kpi.analytics.selectors import Filters

Row = dict[str, Any]


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    numeric: bool = True


@dataclass(frozen=True)
class Chart:
    key: str
    title: Any
    definition: Any
    kind: str  # funnel, bar, line, pie
    compute: Callable[[Any, Filters], list[Row]]
    columns: tuple[Column, ...]
    category: Callable[[Row], str]
    series: tuple[tuple[str, Any], ...]  # (row key, series name)
    link: Callable[[Row, Filters], str]
    uses_period: bool = True
    line_series: tuple[str, ...] = ()  # keys drawn as a line on a second axis (percentages)

    def rows(self, user: Any, filters: Filters) -> list[Row]:
        rows = self.compute(user, filters)
        for row in rows:
            row["url"] = self.link(row, filters)
        return rows

    def spec(self, rows: list[Row]) -> dict[str, Any]:
        shown = [row for row in rows if self.category(row)]
        return {
            "type": self.kind,
            "title": str(self.title),
            "categories": [self.category(row) for row in shown],
            "series": [
                {
                    "name": str(name),
                    "data": [_number(row.get(key)) for row in shown],
                    "type": "line" if key in self.line_series else self.kind,
                    "axis": 1 if key in self.line_series else 0,
                }
                for key, name in self.series
            ],
            "links": [row["url"] for row in shown],
        }


def _number(value: Any) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


def _opportunities(filters: Filters, **params: Any) -> str:
    query = {**filters.opportunity_query(), **{k: str(v) for k, v in params.items() if v not in (None, "")}}
    return reverse("opportunities:list") + ("?" + urlencode(query) if query else "")


def _last_day(period_end: Any) -> Any:
    return period_end - timedelta(days=1)


def _percent(value: Decimal | None) -> Decimal | None:
    return None if value is None else (value * 100).quantize(Decimal("0.1"))


def _with_percent(compute: Callable[[Any, Filters], list[Row]]) -> Callable[[Any, Filters], list[Row]]:
    def wrapped(user: Any, filters: Filters) -> list[Row]:
        rows = compute(user, filters)
        for row in rows:
            row["rate_percent"] = _percent(row.get("rate"))
        return rows

    return wrapped


def _receivables_link(row: Row, filters: Filters) -> str:
    query = {"group": "team"}
    if row.get("team_id"):
        query["team"] = str(row["team_id"])
    if filters.owner_id:
        query["owner"] = str(filters.owner_id)
    return reverse("bids:receivables") + "?" + urlencode(query)


def _decisions_link(row: Row, filters: Filters) -> str:
    """The reviews in which the point's approver decided a task in the period, of the teams
    the point counts (``row["teams"]``: the filtered team, or a team-scoped viewer's teams,
    so a review of another team the viewer sees personally is left out as in the point):
    one review per decision."""
    query: dict[str, Any] = {
        "decided_by": str(row["approver_id"]),
        "decided_after": str(filters.period.start),
        "decided_before": str(_last_day(filters.period.end)),
    }
    if row.get("teams") is not None:
        query["team"] = [str(team) for team in row["teams"]]
    return reverse("reviews:list") + "?" + urlencode(query, doseq=True)


def _overdue_link(row: Row, filters: Filters) -> str:
    """The overdue timers of the point's owner and kind (of the filtered team)."""
    query = {"owner": str(row["owner_id"]), "kind": row["kind"]}
    if filters.team_id:
        query["team"] = str(filters.team_id)
    return reverse("sla:team_deadlines") + "?" + urlencode(query)


# --- the builders the charts share ----------------------------------------------------------

RATE = "rate_percent"  # the percentage drawn as a line on the second axis


def _stage_link(row: Row, filters: Filters) -> str:
    """The opportunities of the point's stage."""
    return _opportunities(filters, stage=row["stage"])


def _range(field: str, start: Any, end: Any) -> dict[str, Any]:
    """The opportunity list's filters for ``field`` in [start, end): its ``<field>_after`` and
    ``<field>_before`` take the first and the last day."""
    return {f"{field}_after": start, f"{field}_before": _last_day(end)}


def _in_period(field: str) -> Callable[[Row, Filters], str]:
    """A link to the point's team's opportunities whose ``field`` falls in the period."""

    def link(row: Row, filters: Filters) -> str:
        if row.get("team_id") is not None:
            filters = Filters(filters.period, row["team_id"], filters.owner_id, filters.industry)
        return _opportunities(filters, **_range(field, filters.period.start, filters.period.end))

    return link


def _in_month(field: str) -> Callable[[Row, Filters], str]:
    """A link to the opportunities whose ``field`` falls in the point's month."""

    def link(row: Row, filters: Filters) -> str:
        return _opportunities(filters, **_range(field, row["start"], row["end"]))

    return link


def _chart(
    key: str,
    title: Any,
    definition: Any,
    compute: Callable[[Any, Filters], list[Row]],
    columns: tuple[Column, ...],
    series: tuple[tuple[str, Any], ...],
    *,
    kind: str = "bar",
    category: Callable[[Row], str] | None = None,
    link: Callable[[Row, Filters], str] = _stage_link,
    rate: Any = None,
    after_rate: tuple[Column, ...] = (),
    uses_period: bool = True,
) -> None:
    """Register a chart. By default a bar chart per stage (category: the stage's label, link:
    its opportunities); ``rate``: the series name of the rows' ``rate`` as a percentage, added
    last, drawn as a line on a second axis and shown in its own column (``after_rate``: the
    table's columns after it)."""
    if rate is not None:
        compute = _with_percent(compute)
        columns = (*columns, Column(RATE, rate))
        series = (*series, (RATE, rate))
    columns = (*columns, *after_rate)
    _register(
        Chart(
            key=key,
            title=title,
            definition=definition,
            kind=kind,
            compute=compute,
            columns=columns,
            category=category or (lambda row: row["label"]),
            series=series,
            link=link,
            uses_period=uses_period,
            line_series=(RATE,) if rate is not None else (),
        )
    )


CHARTS: dict[str, Chart] = {}


def _register(chart: Chart) -> None:
    CHARTS[chart.key] = chart


_STAGE = Column("label", _("Stage"), numeric=False)

_chart(
    "funnel",
    _("Pipeline funnel"),
    _("Open opportunities today by stage, with their amounts in CNY."),
    selectors.pipeline_funnel,
    (
        _STAGE,
        Column("count", _("Opportunities")),
        Column("amount_cny", _("Amount (CNY)")),
        Column("unconverted", _("Without a rate to CNY")),
    ),
    (("count", _("Opportunities")),),
    kind="funnel",
    uses_period=False,
)
_chart(
    "conversion",
    _("Conversion by stage"),
    _("Of the opportunities that entered a stage in the period, the share that reached a later stage."),
    selectors.conversion_by_stage,
    (_STAGE, Column("entered", _("Entered")), Column("advanced", _("Reached a later stage"))),
    (("entered", _("Entered")), ("advanced", _("Reached a later stage"))),
    rate=_("Conversion %"),
)
_chart(
    "win-rate",
    _("Win rate"),
    _("Won (contract signed) ÷ closed in the period (won, lost or abandoned), per team."),
    selectors.win_rate,
    (
        Column("team", _("Team"), numeric=False),
        Column("closed", _("Closed")),
        Column("won", _("Won")),
        Column("lost", _("Lost")),
        Column("abandoned", _("Abandoned")),
    ),
    (("won", _("Won")), ("closed", _("Closed"))),
    category=lambda row: row["team"] or "",
    link=_in_period("closed"),
    rate=_("Win rate %"),
    after_rate=(Column("won_cny", _("Won (CNY)")),),
)
_chart(
    "cycle-time",
    _("Cycle time per stage"),
    _("Days spent in each stage, for the stays that ended in the period (average and median)."),
    selectors.cycle_time,
    (
        _STAGE,
        Column("count", _("Stays")),
        Column("avg_days", _("Average days")),
        Column("median_days", _("Median days")),
    ),
    (("avg_days", _("Average days")), ("median_days", _("Median days"))),
)
_chart(
    "forecast",
    _("Weighted forecast"),
    _("Open opportunities by expected close month: amount in CNY and amount × the stage's probability."),
    selectors.forecast,
    (
        Column("month", _("Month"), numeric=False),
        Column("count", _("Opportunities")),
        Column("amount_cny", _("Amount (CNY)")),
        Column("weighted_cny", _("Weighted (CNY)")),
    ),
    (("amount_cny", _("Amount (CNY)")), ("weighted_cny", _("Weighted (CNY)"))),
    category=lambda row: row["month"],
    link=_in_month("expected_close"),
)
_chart(
    "overdue-timers",
    _("Overdue timers"),
    _("Open deadlines past due now, by kind and owner."),
    selectors.overdue_timers,
    (
        Column("kind_label", _("Kind"), numeric=False),
        Column("owner", _("Owner"), numeric=False),
        Column("count", _("Overdue")),
        Column("oldest_due", _("Oldest due"), numeric=False),
    ),
    (("count", _("Overdue")),),
    category=lambda row: f"{row['owner']} · {row['kind_label']}",
    link=_overdue_link,
    uses_period=False,
)
_chart(
    "receivables",
    _("Receivables ageing"),
    _("What signed contracts still owe, by team and currency, by days past due."),
    selectors.receivables,
    (
        Column("team", _("Team"), numeric=False),
        Column("currency", _("Currency"), numeric=False),
        Column("outstanding", _("Outstanding")),
        Column("not_due", _("Not yet due")),
        Column("days_0_30", _("0–30 days")),
        Column("days_31_60", _("31–60 days")),
        Column("days_61_90", _("61–90 days")),
        Column("days_over_90", _("Over 90 days")),
    ),
    (
        ("not_due", _("Not yet due")),
        ("days_0_30", _("0–30 days")),
        ("days_31_60", _("31–60 days")),
        ("days_61_90", _("61–90 days")),
        ("days_over_90", _("Over 90 days")),
    ),
    category=lambda row: f"{row['team']} ({row['currency']})",
    link=_receivables_link,
    uses_period=False,
)
_chart(
    "review-turnaround",
    _("Review turnaround"),
    _("Working hours from a review task's opening to its decision, per approver, decided in the period."),
    selectors.review_turnaround,
    (
        Column("approver", _("Approver"), numeric=False),
        Column("count", _("Decisions")),
        Column("avg_hours", _("Average working hours")),
        Column("median_hours", _("Median working hours")),
    ),
    (("avg_hours", _("Average working hours")), ("median_hours", _("Median working hours"))),
    category=lambda row: row["approver"] or "",
    link=_decisions_link,
)
_chart(
    "trends",
    _("Trends, last 12 months"),
    _("New opportunities, won opportunities and the win rate per month."),
    selectors.trends,
    (
        Column("month", _("Month"), numeric=False),
        Column("new", _("New")),
        Column("closed", _("Closed")),
        Column("won", _("Won")),
    ),
    (("new", _("New")), ("won", _("Won"))),
    kind="line",
    category=lambda row: row["month"],
    link=_in_month("created"),
    rate=_("Win rate %"),
    after_rate=(Column("won_cny", _("Won (CNY)")),),
)

TEAM_PAGE = (
    "funnel",
    "conversion",
    "win-rate",
    "cycle-time",
    "forecast",
    "overdue-timers",
    "review-turnaround",
    "trends",
)
OVERVIEW_PAGE = ("funnel", "forecast", "win-rate", "receivables", "trends", "overdue-timers")


def get_chart(key: str) -> Chart | None:
    return CHARTS.get(key)
