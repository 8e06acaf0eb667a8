"""/api/v1/sales-targets/ (R-KPI-4): the targets the caller sees (their own and their home
team's; a sales manager their teams' and members'; GM and admin all), created, changed
(``target`` and ``note``, with ``version``/``If-Match``) and deleted through the services
(403 outside what the caller may set, 400 for a duplicate or a target for both a person
and a team). ``period`` is written and read as ``2026-11`` / ``2026-Q4`` / ``2026``.

``/api/v1/sales-targets/actuals/?period=2026-11&team=<id>`` (or ``&person=<id>``): target vs
actual of the team and its sales people, per metric, with the percent achieved.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from kpi.models.targets import SalesTarget, TargetMetric
from kpi.periods import Period, PeriodKind
from kpi.targets import selectors, services
from presales.accounts.models import Team, User
from presales.api.permissions import HasRole
from presales.api.schema import error_responses
from presales.api.serializers import StrictMixin
from presales.api.viewsets import DETAIL_ERRORS, ScopedModelViewSet, crud_schema
from presales.core.errors import DomainError, NotFound


def _actor(request: Any) -> Any:
    """The signed-in user as the services' ``Actor`` (the role mixins let no one else in)."""
    return request.user


class SalesTargetFilter(django_filters.FilterSet):
    period = django_filters.CharFilter(method="filter_period", label=gettext_lazy("Period"))
    metric = django_filters.ChoiceFilter(choices=TargetMetric.choices, label=gettext_lazy("Metric"))
    person = django_filters.NumberFilter(field_name="person", label=gettext_lazy("Sales rep"))
    team = django_filters.NumberFilter(field_name="team", label=gettext_lazy("Team"))

    class Meta:
        model = SalesTarget
        fields = ["period", "metric", "person", "team"]

    def filter_period(self, queryset, name, value):
        return queryset.for_period(Period.parse(value))


class SalesTargetSerializer(StrictMixin, serializers.ModelSerializer):
    """A target of a sales rep or a team for a period and a metric (R-KPI-4)."""

    period = serializers.CharField(
        source="period_key", max_length=10, help_text=gettext_lazy("2026-11, 2026-Q4 or 2026.")
    )
    period_kind = serializers.ChoiceField(choices=PeriodKind.choices, read_only=True)
    person = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)

    class Meta:
        model = SalesTarget
        fields = [
            "id",
            "period",
            "period_kind",
            "period_start",
            "person",
            "team",
            "metric",
            "target",
            "note",
            "set_by",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "period_kind",
            "period_start",
            "set_by",
            "version",
            "created_at",
            "updated_at",
        ]

    def validate_period(self, value: str) -> Period:
        try:
            return Period.parse(value)
        except DomainError as exc:
            raise serializers.ValidationError(exc.fields["period"]) from exc

    def validate_target(self, value):
        if value is not None and value < 0:
            raise serializers.ValidationError(_("A target cannot be negative."))
        return value


KEY_FIELD = gettext_lazy("A target's period, person, team and metric are its key: delete it and set another.")


class SalesTargetUpdateSerializer(SalesTargetSerializer):
    """A target's value and note (its key is read-only)."""

    read_only_messages = {"period": KEY_FIELD, "person": KEY_FIELD, "team": KEY_FIELD, "metric": KEY_FIELD}
    period = serializers.CharField(source="period_key", read_only=True)
    person = serializers.PrimaryKeyRelatedField(read_only=True)
    team = serializers.PrimaryKeyRelatedField(read_only=True)
    metric = serializers.ChoiceField(choices=TargetMetric.choices, read_only=True)


class ActualSerializer(serializers.Serializer):
    metric = serializers.ChoiceField(choices=TargetMetric.choices)
    target = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    actual = serializers.DecimalField(max_digits=24, decimal_places=2, allow_null=True)
    count = serializers.IntegerField()
    achieved_percent = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True)
    target_id = serializers.IntegerField(allow_null=True)


class ActualRowSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[("person", "person"), ("team", "team")])
    id = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named "label"
    metrics = ActualSerializer(many=True)


class ActualsSerializer(serializers.Serializer):
    period = serializers.CharField()
    rows = ActualRowSerializer(many=True)


@crud_schema("sales target", SalesTargetSerializer, update=SalesTargetUpdateSerializer, destroy=True)
class SalesTargetViewSet(ScopedModelViewSet):
    """Sales targets (R-KPI-4), every write through ``kpi.targets.services``."""

    permission_classes = [HasRole]
    queryset = SalesTarget.objects.select_related("person", "team")
    serializer_class = SalesTargetSerializer
    update_serializer_class = SalesTargetUpdateSerializer
    filterset_class = SalesTargetFilter
    ordering_fields = ["period_start", "id"]
    ordering = ["-period_start", "-id"]

    def service_create(self, data: dict) -> SalesTarget:
        return services.target_create(
            actor=_actor(self.request),
            period=data["period_key"],
            metric=data["metric"],
            target=data["target"],
            person=data.get("person"),
            team=data.get("team"),
            note=data.get("note", ""),
        )

    def service_update(self, instance, data: dict, *, expected_version):
        return services.target_update(
            actor=_actor(self.request), target=instance, data=data, expected_version=expected_version
        )

    def service_destroy(self, instance) -> None:
        services.target_delete(actor=_actor(self.request), target=instance)

    @extend_schema(
        filters=False,
        parameters=[
            OpenApiParameter("period", str, required=True, description="2026-11, 2026-Q4 or 2026."),
            OpenApiParameter("team", int, description="A team the caller manages (all for GM, admin)."),
            OpenApiParameter("person", int, description="One person (the caller: their own)."),
        ],
        responses={200: ActualsSerializer, **error_responses(400, *DETAIL_ERRORS)},
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def actuals(self, request):
        """Target vs actual per metric of a team and its sales people, or of one person."""
        period = Period.parse(request.query_params.get("period", ""))
        user = request.user
        team_text = request.query_params.get("team", "")
        person_text = request.query_params.get("person", "")
        for name, text in (("team", team_text), ("person", person_text)):
            if text and not text.isdigit():
                raise DomainError(fields={name: [_("Give an id.")]})
        if team_text:
            teams = {t.pk: t for t in selectors.teams_for(user)}
            team = teams.get(int(team_text))
            if team is None:
                raise NotFound(_("No such team among yours."))
            rows = selectors.grid(period, people=selectors.team_members(team), teams=[team])
        else:
            pk = int(person_text) if person_text else user.pk
            if pk == user.pk:
                person = user
            else:
                managed = [t.pk for t in selectors.teams_for(user)]
                person = get_object_or_404(User, pk=pk, team__in=managed)
            rows = selectors.grid(period, people=[person], teams=[])
        return Response({"period": period.key, "rows": [row.as_dict() for row in rows]})
