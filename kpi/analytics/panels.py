"""Dashboard panels of the analytics (R-KPI-3): what each role acts on, each a few constant
queries. The general manager: the company funnel and forecast as charts, the contracts waiting
for approval, the receivables per currency. A manager: the team's funnel and overdue timers.
(Legal and finance see their review queue in the reviews app's "Reviews waiting for you".)"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bids.contracts.services import REVIEW_KIND as CONTRACT_REVIEW
from bids.payments import selectors as payments
from kpi.analytics.access import may_see_analytics, may_see_overview
from kpi.analytics.charts import CHARTS
from kpi.analytics.selectors import Filters
from kpi.analytics.views import chart_context
from kpi.periods import Period
from reviews.choices import ReviewStatus
from reviews.models import Review

PANEL_ROWS = 5
MONEY = DecimalField(max_digits=20, decimal_places=2)


def charts_panel(user: Any) -> dict[str, Any] | None:
    """The pipeline as charts: the company's funnel and forecast for the general manager, the
    team's funnel for a manager (their visibility is their teams). Two queries at most."""
    if not may_see_analytics(user):
        return None
    filters = Filters(period=Period.current())
    keys = ("funnel", "forecast") if may_see_overview(user) else ("funnel",)
    return {
        "key": "analytics-charts",
        "title": _("Company pipeline") if may_see_overview(user) else _("Team pipeline"),
        "icon": "bar-chart",
        "template": "kpi/analytics/partials/dashboard_charts.html",
        "charts": [chart_context(CHARTS[key], user, filters) for key in keys],
        "url": reverse("kpi:analytics:overview" if may_see_overview(user) else "kpi:analytics:page"),
    }


def overdue_panel(user: Any) -> dict[str, Any] | None:
    """A manager's team: overdue timers by kind and owner (one query)."""
    if not may_see_analytics(user) or may_see_overview(user):
        return None
    rows = CHARTS["overdue-timers"].rows(user, Filters(period=Period.current()))
    return {
        "key": "analytics-overdue",
        "title": _("Overdue timers of my teams"),
        "icon": "alarm",
        "template": "kpi/analytics/partials/dashboard_overdue.html",
        "rows": rows[:PANEL_ROWS],
        "total": sum(row["count"] for row in rows),
    }


def approvals_panel(user: Any) -> dict[str, Any] | None:
    """The general manager: contracts waiting for approval and what is still owed (three queries)."""
    if not may_see_overview(user):
        return None
    pending = Review.objects.filter(kind=CONTRACT_REVIEW, status=ReviewStatus.IN_PROGRESS)
    owed = (
        payments.receivable_instalments(user)
        .values("plan__contract__currency")
        .annotate(
            owed=Sum(ExpressionWrapper(F("amount_due") - F("received_total"), output_field=MONEY)),
            contracts=Count("plan__contract", distinct=True),
        )
        .order_by("plan__contract__currency")
    )
    return {
        "key": "analytics-approvals",
        "title": _("Contracts and receivables"),
        "icon": "file-earmark-check",
        "template": "kpi/analytics/partials/dashboard_approvals.html",
        "pending": list(pending.order_by("started_at", "pk")[:PANEL_ROWS]),
        "pending_count": pending.count(),
        "receivables": [
            {
                "currency": row["plan__contract__currency"],
                "outstanding": (row["owed"] or Decimal(0)).quantize(Decimal("0.01")),
                "contracts": row["contracts"],
            }
            for row in owed
        ],
    }
