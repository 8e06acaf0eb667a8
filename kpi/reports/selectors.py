"""The figures of a monthly team report (R-KPI-3), each a constant number of aggregate
queries over the team's records, whatever their number:

- pipeline: the team's open opportunities by stage (count, amount in CNY) when generated;
- new opportunities created in the month;
- wins: opportunities that reached handoff (contract signed) in the month, from the stage
  changes; losses: lost in the month, by close reason; winning competitors named on them;
- competitors seen: the competitors named on the team's opportunities open or closed in
  the month;
- forecast: open opportunities expected to close in each of the next three months, their
  amount and the amount weighted by the stage's chance (``STAGE_WEIGHTS``);
- satisfaction: the average customer-satisfaction score of the answers given in the month
  on the team's opportunities.

Amounts are in CNY (an amount in another currency at its recorded rate; one without a rate is
left out of the sums) and kept as strings in the snapshot.
"""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Case, Count, DecimalField, ExpressionWrapper, F, Q, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from kpi.models.surveys import Measure, SurveyAnswer
from kpi.periods import Period
from opportunities.choices import LIFECYCLE, OPEN_STAGES, CloseReason, Stage
from opportunities.models import Opportunity, StageChange
from presales.core.money import BASE_CURRENCY

MONEY = DecimalField(max_digits=24, decimal_places=6)
CENT = Decimal("0.01")
FORECAST_MONTHS = 3
# The chance of winning an open opportunity by its stage, for the weighted forecast.
STAGE_WEIGHTS: dict[str, Decimal] = {
    Stage.LEAD_INTAKE: Decimal("0.10"),
    Stage.NEEDS_ANALYSIS: Decimal("0.20"),
    Stage.SOLUTION: Decimal("0.30"),
    Stage.REVIEW: Decimal("0.40"),
    Stage.DEMO: Decimal("0.50"),
    Stage.BID: Decimal("0.60"),
    Stage.CONTRACT: Decimal("0.80"),
}
MAX_LISTED = 20


def amount_cny(prefix: str = "") -> Case:
    return Case(
        When(
            **{f"{prefix}currency": BASE_CURRENCY},
            then=ExpressionWrapper(F(f"{prefix}amount") * Value(1), output_field=MONEY),
        ),
        default=ExpressionWrapper(F(f"{prefix}amount") * F(f"{prefix}fx_rate_to_cny"), output_field=MONEY),
        output_field=MONEY,
    )


def _weighted() -> Case:
    return Case(
        *[
            When(stage=stage, then=ExpressionWrapper(amount_cny() * Value(weight), output_field=MONEY))
            for stage, weight in STAGE_WEIGHTS.items()
        ],
        default=Value(Decimal(0)),
        output_field=MONEY,
    )


def _money(value: Any) -> str:
    return str((Decimal(value) if value is not None else Decimal(0)).quantize(CENT, ROUND_HALF_UP))


def _in(field: str, period: Period) -> Q:
    return Q(**{f"{field}__gte": period.start_at, f"{field}__lt": period.end_at})


def report_figures(team_id: int, month: Period) -> dict[str, Any]:
    """The snapshot of ``team_id``'s figures for ``month`` (8 queries)."""
    team_opps = Opportunity.objects.filter(team_id=team_id)
    by_stage = {
        row["stage"]: row
        for row in team_opps.filter(stage__in=OPEN_STAGES)
        .values("stage")
        .annotate(n=Count("id"), total=Sum(amount_cny()))
        .order_by()
    }
    pipeline = [
        {"stage": str(stage), "count": by_stage[stage]["n"], "amount": _money(by_stage[stage]["total"])}
        for stage in LIFECYCLE
        if stage in by_stage
    ]
    new = team_opps.filter(_in("created_at", month)).aggregate(n=Count("id"), total=Sum(amount_cny()))
    wins = list(
        StageChange.objects.filter(_in("at", month), to_stage=Stage.HANDOFF, opportunity__team_id=team_id)
        .values("opportunity_id", "opportunity__title")
        .annotate(total=Sum(amount_cny("opportunity__")))
        .order_by("-total", "opportunity_id")
    )
    lost = team_opps.filter(_in("closed_at", month), stage=Stage.LOST)
    reasons = list(
        lost.values("close_reason")
        .annotate(n=Count("id"), total=Sum(amount_cny()))
        .order_by("-n", "close_reason")
    )
    winners = list(
        lost.exclude(winning_competitor="")
        .values("winning_competitor")
        .annotate(n=Count("id"))
        .order_by("-n", "winning_competitor")[:MAX_LISTED]
    )
    seen: Counter[str] = Counter()
    for names in team_opps.filter(Q(stage__in=OPEN_STAGES) | _in("closed_at", month)).values_list(
        "competitors", flat=True
    ):
        for name in names or []:
            if isinstance(name, str) and name.strip():
                seen[name.strip()] += 1
    start = month.following().start
    end = month.following(FORECAST_MONTHS).start
    by_month = {
        row["month"]: row
        for row in team_opps.filter(stage__in=OPEN_STAGES, expected_close__gte=start, expected_close__lt=end)
        .annotate(month=TruncMonth("expected_close"))
        .values("month")
        .annotate(n=Count("id"), total=Sum(amount_cny()), weighted=Sum(_weighted()))
        .order_by()
    }
    forecast = []
    for i in range(1, FORECAST_MONTHS + 1):
        each = month.following(i)
        row: dict[str, Any] = dict(by_month.get(each.start) or {})
        forecast.append(
            {
                "month": each.key,
                "count": row.get("n", 0),
                "amount": _money(row.get("total")),
                "weighted": _money(row.get("weighted")),
            }
        )
    survey = SurveyAnswer.objects.filter(
        _in("answered_at", month),
        measure=Measure.SATISFACTION,
        score__isnull=False,
        survey__opportunity__team_id=team_id,
    ).aggregate(average=Avg("score"), n=Count("id"))
    return {
        "month": month.key,
        "generated_at": timezone.now().isoformat(),
        "pipeline": pipeline,
        "pipeline_total": {
            "count": sum(row["count"] for row in pipeline),
            "amount": _money(sum((Decimal(row["amount"]) for row in pipeline), Decimal(0))),
        },
        "new_opportunities": {"count": new["n"], "amount": _money(new["total"])},
        "wins": {
            "count": len(wins),
            "amount": _money(sum((w["total"] or Decimal(0) for w in wins), Decimal(0))),
            "items": [
                {"id": w["opportunity_id"], "title": w["opportunity__title"], "amount": _money(w["total"])}
                for w in wins[:MAX_LISTED]
            ],
        },
        "losses": {
            "count": sum(r["n"] for r in reasons),
            "amount": _money(sum((r["total"] or Decimal(0) for r in reasons), Decimal(0))),
            "reasons": [{"reason": r["close_reason"], "count": r["n"]} for r in reasons],
        },
        "winning_competitors": [{"name": w["winning_competitor"], "count": w["n"]} for w in winners],
        "competitors_seen": [{"name": name, "count": n} for name, n in seen.most_common(MAX_LISTED)],
        "forecast": forecast,
        "satisfaction": {
            "average": None
            if survey["average"] is None
            else str(Decimal(survey["average"]).quantize(CENT, ROUND_HALF_UP)),
            "count": survey["n"],
        },
    }


def reason_label(code: str) -> str:
    return str(CloseReason(code).label) if code in CloseReason.values else code


def stage_label(code: str) -> str:
    return str(Stage(code).label) if code in Stage.values else code


def market_feedback_text(figures: dict[str, Any]) -> str:
    """The market-feedback section pre-filled from the figures (in the current language):
    lost reasons, winning competitors, competitors seen; the manager adds the trends."""

    def listed(rows: list[dict[str, Any]], key: str, label=lambda v: v) -> str:
        return ", ".join(f"{label(row[key])} ({row['count']})" for row in rows) or _("none")

    lines = [
        _("Lost reasons: %(list)s") % {"list": listed(figures["losses"]["reasons"], "reason", reason_label)},
        _("Competitors that won: %(list)s") % {"list": listed(figures["winning_competitors"], "name")},
        _("Competitors seen: %(list)s") % {"list": listed(figures["competitors_seen"], "name")},
        _("Customers' needs trends: "),
    ]
    return "\n".join(lines)
