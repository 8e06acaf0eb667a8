"""The analytics pages (R-KPI-3): the managers' page, the general manager's overview and each
chart's CSV. Every chart is drawn from a JSON block (``json_script``) by static/js/charts.js,
with its table beside it; each point links to its records."""

from __future__ import annotations

import io
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from kpi.analytics import summary
from kpi.analytics.access import may_see_analytics, may_see_overview
from kpi.analytics.charts import CHARTS, OVERVIEW_PAGE, TEAM_PAGE, Chart
from kpi.analytics.forms import AnalyticsFilterForm
from kpi.analytics.selectors import Filters
from kpi.periods import Period
from presales.core.csvfile import write_csv
from presales.web.views import RoleRequiredMixin


def chart_context(chart: Chart, user: Any, filters: Filters) -> dict[str, Any]:
    """One chart's rows, table cells and ECharts spec, for a page or a dashboard panel."""
    rows = chart.rows(user, filters)
    return {
        "key": chart.key,
        "title": chart.title,
        "definition": chart.definition,
        "columns": chart.columns,
        "rows": [
            {"url": row["url"], "cells": [(row.get(c.key), c.numeric) for c in chart.columns]} for row in rows
        ],
        "spec": chart.spec(rows),
        "dom_id": f"chart-{chart.key}",
        "data_id": f"chart-{chart.key}-data",
        "uses_period": chart.uses_period,
    }


class AnalyticsAccessMixin(RoleRequiredMixin):
    overview = False
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated:
            allowed = may_see_overview(request.user) if self.overview else may_see_analytics(request.user)
            if not allowed:
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def filter_form(self) -> tuple[AnalyticsFilterForm, Filters]:
        form = AnalyticsFilterForm(self.request.GET or None, request=self.request)
        if form.is_bound and form.is_valid():
            return form, form.filters()
        return form, Filters(period=Period.current())


class AnalyticsPageView(AnalyticsAccessMixin, TemplateView):
    """/kpi/analytics/: the team's pipeline, conversion, win rate, cycle time, forecast, overdue
    timers, review turnaround and trends (presales and sales managers; GM and admins)."""

    template_name = "kpi/analytics/analytics_page.html"
    charts: tuple[str, ...] = TEAM_PAGE
    heading = _("Team analytics")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form, filters = self.filter_form()
        query = self.request.GET.copy()
        query.pop("format", None)
        context.update(
            form=form,
            filters=filters,
            heading=self.heading,
            charts=[chart_context(CHARTS[key], self.request.user, filters) for key in self.charts],
            query=query.urlencode(),
            summary_at=summary.computed_at(),
            computed_at=timezone.now(),
            can_see_overview=may_see_overview(self.request.user),
        )
        return context


class OverviewView(AnalyticsPageView):
    """/kpi/analytics/overview/: the general manager's company-wide picture."""

    overview = True
    charts = OVERVIEW_PAGE
    heading = _("Company overview")


class ChartCsvView(AnalyticsAccessMixin, TemplateView):
    """/kpi/analytics/csv/<chart>/: one chart's table as CSV, with the page's filters."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        chart = CHARTS.get(kwargs["chart"])
        if chart is None:
            raise Http404
        form = AnalyticsFilterForm(request.GET or None, request=request)
        if form.is_bound and not form.is_valid():
            return HttpResponse(
                "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in form.errors.items()),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        filters = form.filters() if form.is_bound else Filters(period=Period.current())
        rows = chart.rows(request.user, filters)
        buffer = io.StringIO()
        write_csv(
            buffer,
            [str(c.label) for c in chart.columns],
            ([row.get(c.key) if row.get(c.key) is not None else "" for c in chart.columns] for row in rows),
        )
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        name = f"{chart.key}-{filters.period.key}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
