"""/api/v1/analytics/<chart>/ (R-KPI-3): one chart's figures as JSON, read-only, with the pages'
filters (``period``, ``team``, ``owner``, ``industry``) and the caller's visibility. Charts:
funnel, conversion, win-rate, cycle-time, forecast, overdue-timers, receivables,
review-turnaround, trends. Each row carries ``url``, the records behind it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kpi.analytics.access import may_see_analytics
from kpi.analytics.charts import CHARTS
from kpi.analytics.forms import filters_from
from leads.choices import Industry
from presales.api.permissions import HasRole
from presales.api.schema import error_responses
from presales.api.viewsets import READ_ERRORS, BaseAPIView
from presales.core.errors import NotAllowed, NotFound


class ChartSerializer(serializers.Serializer):
    """A chart's answer: its rows (one per point, with ``url``), columns and the chart spec."""

    chart = serializers.CharField()
    title = serializers.CharField()
    definition = serializers.CharField()
    period = serializers.CharField()
    columns = serializers.ListField(
        child=serializers.DictField(), help_text="The table's columns: key, label, numeric."
    )
    rows = serializers.ListField(child=serializers.DictField())
    spec = serializers.DictField()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class ChartView(BaseAPIView):
    """One analytics chart (R-KPI-3): managers (their teams), the general manager and admins."""

    permission_classes = [HasRole]

    @extend_schema(
        operation_id="analytics_chart",
        summary="One analytics chart's figures",
        parameters=[
            OpenApiParameter("chart", str, OpenApiParameter.PATH, enum=sorted(CHARTS)),
            OpenApiParameter("period", str, description="2026-11, 2026-Q4 or 2026; default: this month"),
            OpenApiParameter("team", int),
            OpenApiParameter(
                "owner", int, description="sales or presales owner (timers: owner; reviews: approver)"
            ),
            OpenApiParameter("industry", str, enum=list(Industry.values)),
        ],
        responses={200: ChartSerializer, **error_responses(400, *READ_ERRORS, 404)},
    )
    def get(self, request: Request, chart: str) -> Response:
        if not may_see_analytics(request.user):
            raise NotAllowed()
        definition = CHARTS.get(chart)
        if definition is None:
            raise NotFound()
        filters = filters_from(request.query_params, request)
        rows = definition.rows(request.user, filters)
        return Response(
            {
                "chart": definition.key,
                "title": str(definition.title),
                "definition": str(definition.definition),
                "period": filters.period.key,
                "columns": [
                    {"key": c.key, "label": str(c.label), "numeric": c.numeric} for c in definition.columns
                ],
                "rows": [{k: _plain(v) for k, v in row.items()} for row in rows],
                "spec": definition.spec(rows),
            }
        )
