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


CHARTS: dict[str, Chart] = {}


def _register(chart: Chart) -> None:
    CHARTS[chart.key] = chart


_register(
    Chart(
        key="funnel",
        title=_("Pipeline funnel"),
        definition=_("Open opportunities today by stage, with their amounts in CNY."),
        kind="funnel",
        compute=selectors.pipeline_funnel,
        columns=(
            Column("label", _("Stage"), numeric=False),
            Column("count", _("Opportunities")),
            Column("amount_cny", _("Amount (CNY)")),
            Column("unconverted", _("Without a rate to CNY")),
        ),
        category=lambda row: row["label"],
        series=(("count", _("Opportunities")),),
        link=lambda row, f: _opportunities(f, stage=row["stage"]),
        uses_period=False,
    )
)
_register(
    Chart(
        key="conversion",
        title=_("Conversion by stage"),
        definition=_(
            "Of the opportunities that entered a stage in the period, the share that reached a later stage."
        ),
        kind="bar",
        compute=_with_percent(selectors.conversion_by_stage),
        columns=(
            Column("label", _("Stage"), numeric=False),
            Column("entered", _("Entered")),
            Column("advanced", _("Reached a later stage")),
            Column("rate_percent", _("Conversion %")),
        ),
        category=lambda row: row["label"],
        series=(
            ("entered", _("Entered")),
            ("advanced", _("Reached a later stage")),
            ("rate_percent", _("Conversion %")),
        ),
        line_series=("rate_percent",),
        link=lambda row, f: _opportunities(f, stage=row["stage"]),
    )
)
_register(
    Chart(
        key="win-rate",
        title=_("Win rate"),
        definition=_("Won (contract signed) ÷ closed in the period (won, lost or abandoned), per team."),
        kind="bar",
        compute=_with_percent(selectors.win_rate),
        columns=(
            Column("team", _("Team"), numeric=False),
            Column("closed", _("Closed")),
            Column("won", _("Won")),
            Column("lost", _("Lost")),
            Column("abandoned", _("Abandoned")),
            Column("rate_percent", _("Win rate %")),
            Column("won_cny", _("Won (CNY)")),
        ),
        category=lambda row: row["team"] or "",
        series=(("won", _("Won")), ("closed", _("Closed")), ("rate_percent", _("Win rate %"))),
        line_series=("rate_percent",),
        link=lambda row, f: _opportunities(
            f if row["team_id"] is None else Filters(f.period, row["team_id"], f.owner_id, f.industry),
            closed_after=f.period.start,
            closed_before=_last_day(f.period.end),
        ),
    )
)
_register(
    Chart(
        key="cycle-time",
        title=_("Cycle time per stage"),
        definition=_(
            "Days spent in each stage, for the stays that ended in the period (average and median)."
        ),
        kind="bar",
        compute=selectors.cycle_time,
        columns=(
            Column("label", _("Stage"), numeric=False),
            Column("count", _("Stays")),
            Column("avg_days", _("Average days")),
            Column("median_days", _("Median days")),
        ),
        category=lambda row: row["label"],
        series=(("avg_days", _("Average days")), ("median_days", _("Median days"))),
        link=lambda row, f: _opportunities(f, stage=row["stage"]),
    )
)
_register(
    Chart(
        key="forecast",
        title=_("Weighted forecast"),
        definition=_(
            "Open opportunities by expected close month: amount in CNY and amount × the stage's probability."
        ),
        kind="bar",
        compute=selectors.forecast,
        columns=(
            Column("month", _("Month"), numeric=False),
            Column("count", _("Opportunities")),
            Column("amount_cny", _("Amount (CNY)")),
            Column("weighted_cny", _("Weighted (CNY)")),
        ),
        category=lambda row: row["month"],
        series=(("amount_cny", _("Amount (CNY)")), ("weighted_cny", _("Weighted (CNY)"))),
        link=lambda row, f: _opportunities(
            f, expected_close_after=row["start"], expected_close_before=_last_day(row["end"])
        ),
    )
)
_register(
    Chart(
        key="overdue-timers",
        title=_("Overdue timers"),
        definition=_("Open deadlines past due now, by kind and owner."),
        kind="bar",
        compute=selectors.overdue_timers,
        columns=(
            Column("kind_label", _("Kind"), numeric=False),
            Column("owner", _("Owner"), numeric=False),
            Column("count", _("Overdue")),
            Column("oldest_due", _("Oldest due"), numeric=False),
        ),
        category=lambda row: f"{row['owner']} · {row['kind_label']}",
        series=(("count", _("Overdue")),),
        link=lambda row, f: reverse("sla:team_deadlines"),
        uses_period=False,
    )
)
_register(
    Chart(
        key="receivables",
        title=_("Receivables ageing"),
        definition=_("What signed contracts still owe, by team and currency, by days past due."),
        kind="bar",
        compute=selectors.receivables,
        columns=(
            Column("team", _("Team"), numeric=False),
            Column("currency", _("Currency"), numeric=False),
            Column("outstanding", _("Outstanding")),
            Column("not_due", _("Not yet due")),
            Column("days_0_30", _("0–30 days")),
            Column("days_31_60", _("31–60 days")),
            Column("days_61_90", _("61–90 days")),
            Column("days_over_90", _("Over 90 days")),
        ),
        category=lambda row: f"{row['team']} ({row['currency']})",
        series=(
            ("not_due", _("Not yet due")),
            ("days_0_30", _("0–30 days")),
            ("days_31_60", _("31–60 days")),
            ("days_61_90", _("61–90 days")),
            ("days_over_90", _("Over 90 days")),
        ),
        link=_receivables_link,
        uses_period=False,
    )
)
_register(
    Chart(
        key="review-turnaround",
        title=_("Review turnaround"),
        definition=_(
            "Working hours from a review task's opening to its decision, per approver, decided in the period."
        ),
        kind="bar",
        compute=selectors.review_turnaround,
        columns=(
            Column("approver", _("Approver"), numeric=False),
            Column("count", _("Decisions")),
            Column("avg_hours", _("Average working hours")),
            Column("median_hours", _("Median working hours")),
        ),
        category=lambda row: row["approver"] or "",
        series=(("avg_hours", _("Average working hours")), ("median_hours", _("Median working hours"))),
        link=lambda row, f: reverse("reviews:list") + "?" + urlencode({"status": "approved"}),
    )
)
_register(
    Chart(
        key="trends",
        title=_("Trends, last 12 months"),
        definition=_("New opportunities, won opportunities and the win rate per month."),
        kind="line",
        compute=_with_percent(selectors.trends),
        columns=(
            Column("month", _("Month"), numeric=False),
            Column("new", _("New")),
            Column("closed", _("Closed")),
            Column("won", _("Won")),
            Column("rate_percent", _("Win rate %")),
            Column("won_cny", _("Won (CNY)")),
        ),
        category=lambda row: row["month"],
        series=(("new", _("New")), ("won", _("Won")), ("rate_percent", _("Win rate %"))),
        line_series=("rate_percent",),
        link=lambda row, f: _opportunities(
            f, created_after=row["start"], created_before=_last_day(row["end"])
        ),
    )
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
