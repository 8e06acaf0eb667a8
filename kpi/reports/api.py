"""/api/v1/team-reports/ (R-KPI-3): the monthly team reports the caller sees (a team's manager
their teams'; GM, department heads and admin all). ``PATCH``/``PUT`` change the written
sections of a draft (with ``version``/``If-Match``); ``POST .../submit/`` submits it (frozen
after: every change answers 409 ``frozen``); ``POST .../generate/`` (``team``, ``month``)
creates the draft or regenerates its figures. Status and figures are read-only.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action

from kpi.models.reports import SECTION_FIELDS, ReportStatus, TeamReport
from kpi.periods import Period
from kpi.reports import services
from presales.accounts.models import Team
from presales.api.permissions import HasRole
from presales.api.schema import error_responses
from presales.api.serializers import StrictMixin
from presales.api.viewsets import (
    CHANGE_ERRORS,
    DETAIL_ERRORS,
    IF_MATCH,
    READ_ERRORS,
    BaseViewSet,
    ScopedQuerysetMixin,
    ServiceUpdateMixin,
    expected_version,
)
from presales.core.errors import DomainError
from presales.core.filters import ChoicesFilter


def _actor(request: Any) -> Any:
    """The signed-in user as the services' ``Actor`` (the role mixins let no one else in)."""
    return request.user


class TeamReportFilter(django_filters.FilterSet):
    team = django_filters.NumberFilter(field_name="team", label=gettext_lazy("Team"))
    status = ChoicesFilter(choices=ReportStatus.choices, label=gettext_lazy("Status"))
    month = django_filters.CharFilter(method="filter_month", label=gettext_lazy("Month"))

    class Meta:
        model = TeamReport
        fields = ["team", "status", "month"]

    def filter_month(self, queryset, name, value):
        return queryset.filter(month=Period.parse(value, field="month").start)


class TeamReportSerializer(StrictMixin, serializers.ModelSerializer):
    """A team's monthly report: generated figures, written sections, status (R-KPI-3)."""

    read_only_messages = {
        "status": gettext_lazy("The status changes only through …/submit/."),
        "figures": gettext_lazy("The figures change only through …/generate/ while the report is a draft."),
    }
    month = serializers.SerializerMethodField()

    class Meta:
        model = TeamReport
        fields = [
            "id",
            "team",
            "month",
            "status",
            "figures",
            "generated_at",
            *SECTION_FIELDS,
            "author",
            "submitted_at",
            "submitted_by",
            "submitted_to",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "team",
            "status",
            "figures",
            "generated_at",
            "author",
            "submitted_at",
            "submitted_by",
            "submitted_to",
            "version",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.CharField(help_text="2026-11"))
    def get_month(self, report: TeamReport) -> str:
        return report.month_key


class GenerateSerializer(StrictMixin, serializers.Serializer):
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
    month = serializers.CharField(max_length=7, help_text="2026-11")

    def validate_month(self, value: str) -> Period:
        try:
            return Period.parse(value, field="month")
        except DomainError as exc:
            raise serializers.ValidationError(exc.fields["month"]) from exc


class SubmitSerializer(StrictMixin, serializers.Serializer):
    version = serializers.IntegerField(required=False)


@extend_schema_view(
    list=extend_schema(
        summary="List monthly team reports",
        responses={200: TeamReportSerializer(many=True), **error_responses(400, *READ_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="Get a monthly team report",
        responses={200: TeamReportSerializer, **error_responses(*DETAIL_ERRORS)},
    ),
    update=extend_schema(
        summary="Replace the sections of a draft report",
        parameters=[IF_MATCH],
        responses={200: TeamReportSerializer, **error_responses(*CHANGE_ERRORS)},
    ),
    partial_update=extend_schema(
        summary="Change sections of a draft report",
        parameters=[IF_MATCH],
        responses={200: TeamReportSerializer, **error_responses(*CHANGE_ERRORS)},
    ),
)
class TeamReportViewSet(
    ScopedQuerysetMixin,
    ServiceUpdateMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    BaseViewSet,
):
    """Monthly team reports (R-KPI-3); every write through ``kpi.reports.services``."""

    permission_classes = [HasRole]
    queryset = TeamReport.objects.select_related("team").prefetch_related("submitted_to")
    serializer_class = TeamReportSerializer
    filterset_class = TeamReportFilter
    ordering_fields = ["month", "id"]
    ordering = ["-month", "-id"]

    def service_update(self, instance, data: dict, *, expected_version):
        return services.report_update(
            actor=_actor(self.request), report=instance, data=data, expected_version=expected_version
        )

    @extend_schema(
        request=SubmitSerializer,
        parameters=[IF_MATCH],
        responses={200: TeamReportSerializer, **error_responses(*CHANGE_ERRORS)},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the draft to the general managers and department heads (then frozen)."""
        report = self.get_object()
        data = self.validated(SubmitSerializer)
        version = data.get("version", expected_version(request))
        return self.represent(
            services.report_submit(actor=_actor(request), report=report, expected_version=version)
        )

    @extend_schema(
        request=GenerateSerializer,
        responses={200: TeamReportSerializer, **error_responses(400, 401, 403, 409)},
    )
    @action(detail=False, methods=["post"])
    def generate(self, request):
        """Create the team's draft for the month with its figures, or regenerate them."""
        data = self.validated(GenerateSerializer)
        report = services.report_generate(team=data["team"], month=data["month"], actor=_actor(request))
        return self.represent(report)
