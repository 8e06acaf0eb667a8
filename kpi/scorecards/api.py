"""/api/v1/scorecards/, /api/v1/scorecard-templates/ and /api/v1/indicators/ (R-KPI-1, R-KPI-2).

Scorecards: list (``?period=``, ``?person=``, ``?status=``), read (with the figures: the frozen
snapshot once signed, computed live before), create (``person``, ``template``, ``period``), and
the moves ``rate`` (``ratings`` by item code, ``manager_comment``), ``share``, ``comment``
(``body``), ``sign``. A signed scorecard refuses every change with 409 ``signed``. Out of the
caller's view is 404.

Templates: list and read for everyone with a role; create and change (weights must total 100,
400 otherwise) for admins and the general manager.

Indicators: ``?people=1,2&period=2026-11`` (``&keys=success_rate,training``): each person's
value, numerator, denominator and count, for the people the caller may see (themselves and the
people they appraise; others are left out).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from kpi.indicators import compute_all, indicators
from kpi.models.scorecards import (
    ItemSection,
    RatingScale,
    Scorecard,
    ScorecardAudience,
    ScorecardStatus,
    ScorecardTemplate,
    ScorecardTemplateItem,
    appraised_team_ids,
)
from kpi.periods import Period, PeriodKind
from kpi.scorecards import selectors, services
from presales.accounts.models import User
from presales.api.permissions import HasRole
from presales.api.schema import error_responses
from presales.api.serializers import StrictMixin
from presales.api.viewsets import (
    CHANGE_ERRORS,
    DETAIL_ERRORS,
    READ_ERRORS,
    BaseAPIView,
    BaseViewSet,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    expected_version,
)
from presales.core.errors import DomainError
from presales.core.filters import ChoicesFilter


class ScorecardFilter(django_filters.FilterSet):
    period = django_filters.CharFilter(field_name="period", label=_("Appraisal period"))
    person = django_filters.NumberFilter(field_name="person", label=_("Person"))
    status = ChoicesFilter(choices=ScorecardStatus.choices, label=_("Status"))

    class Meta:
        model = Scorecard
        fields = ["period", "person", "status"]


class ScorecardSerializer(serializers.ModelSerializer):
    """A scorecard as listed: header, status, total (once signed)."""

    class Meta:
        model = Scorecard
        fields = [
            "id",
            "template",
            "person",
            "period",
            "period_kind",
            "team",
            "department",
            "position",
            "person_name",
            "status",
            "ratings",
            "manager_comment",
            "total_score",
            "shared_at",
            "signed_at",
            "signed_by",
            "version",
            "created_at",
        ]
        read_only_fields = fields


class CommentOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.IntegerField(source="author_id")
    author_name = serializers.CharField(source="author.__str__")
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class ScorecardDetailSerializer(ScorecardSerializer):
    """A scorecard with its figures (lines, sections, total; the snapshot once signed) and
    comments."""

    figures = serializers.SerializerMethodField()
    comments = CommentOutSerializer(many=True, read_only=True)

    class Meta(ScorecardSerializer.Meta):
        fields = [*ScorecardSerializer.Meta.fields, "items", "figures", "comments"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_figures(self, scorecard: Scorecard) -> dict[str, Any]:
        return services.scorecard_figures(scorecard)


class ScorecardCreateSerializer(StrictMixin, serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    template = serializers.PrimaryKeyRelatedField(queryset=ScorecardTemplate.objects.all())
    period = serializers.CharField(max_length=7)


class RateSerializer(StrictMixin, serializers.Serializer):
    ratings = serializers.DictField(
        child=serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    )
    manager_comment = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    version = serializers.IntegerField(required=False)


class CommentSerializer(StrictMixin, serializers.Serializer):
    body = serializers.CharField(max_length=4000)


class EmptySerializer(serializers.Serializer):
    pass


@extend_schema_view(
    list=extend_schema(
        summary="List scorecards",
        responses={200: ScorecardSerializer(many=True), **error_responses(400, *READ_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="Get a scorecard with its figures",
        responses={200: ScorecardDetailSerializer, **error_responses(*DETAIL_ERRORS)},
    ),
    create=extend_schema(
        summary="Create a scorecard",
        request=ScorecardCreateSerializer,
        responses={201: ScorecardDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
)
class ScorecardViewSet(ServiceCreateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Scorecards the caller sees (R-KPI-2): their own once shared, their teams', or all."""

    queryset = Scorecard.objects.all()
    serializer_class = ScorecardSerializer
    create_serializer_class = ScorecardCreateSerializer
    filterset_class = ScorecardFilter
    ordering_fields = ["period", "id"]
    ordering = ["-id"]  # a cursor's first key is a number (a tampered one is a 400)

    def get_queryset(self):
        queryset = Scorecard.objects.visible_to(self.request.user)
        if self.action != "list":
            queryset = queryset.prefetch_related("comments__author")
        return queryset

    def get_serializer_class(self):
        if self.action == "create":
            return ScorecardCreateSerializer
        if self.action == "list":
            return ScorecardSerializer
        return ScorecardDetailSerializer

    def represent(self, obj, status_code: int = 200) -> Response:
        fresh = self.get_queryset().prefetch_related("comments__author").get(pk=obj.pk)
        return Response(
            ScorecardDetailSerializer(fresh, context=self.get_serializer_context()).data, status=status_code
        )

    def service_create(self, data: dict) -> Scorecard:
        return services.scorecard_create(
            actor=self.request.user, person=data["person"], template=data["template"], period=data["period"]
        )

    @extend_schema(
        request=RateSerializer, responses={200: ScorecardDetailSerializer, **error_responses(*CHANGE_ERRORS)}
    )
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        """The manager's ratings of the work items (by item code) and comment."""
        scorecard = self.get_object()
        data = self.validated(RateSerializer)
        updated = services.scorecard_rate(
            actor=request.user,
            scorecard=scorecard,
            ratings=data["ratings"],
            manager_comment=data.get("manager_comment"),
            expected_version=data.get("version", expected_version(request)),
        )
        return self.represent(updated)

    @extend_schema(
        request=EmptySerializer, responses={200: ScorecardDetailSerializer, **error_responses(*CHANGE_ERRORS)}
    )
    @action(detail=True, methods=["post"])
    def share(self, request, pk=None):
        """Show the scorecard to the person (they are told)."""
        return self.represent(services.scorecard_share(actor=request.user, scorecard=self.get_object()))

    @extend_schema(
        request=CommentSerializer,
        responses={200: ScorecardDetailSerializer, **error_responses(*CHANGE_ERRORS)},
    )
    @action(detail=True, methods=["post"])
    def comment(self, request, pk=None):
        """A comment by the person (the manager is told) or the manager."""
        scorecard = self.get_object()
        data = self.validated(CommentSerializer)
        services.scorecard_comment(actor=request.user, scorecard=scorecard, body=data["body"])
        return self.represent(scorecard)

    @extend_schema(
        request=EmptySerializer, responses={200: ScorecardDetailSerializer, **error_responses(*CHANGE_ERRORS)}
    )
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """Sign off: the figures are frozen (the person is told)."""
        return self.represent(services.scorecard_sign(actor=request.user, scorecard=self.get_object()))


class TemplateItemSerializer(serializers.ModelSerializer):
    section = serializers.ChoiceField(choices=ItemSection.choices)
    scale = serializers.ChoiceField(choices=RatingScale.choices, required=False)

    class Meta:
        model = ScorecardTemplateItem
        fields = ["section", "code", "label", "description", "indicator_key", "weight", "target", "scale"]
        extra_kwargs = {"description": {"required": False}, "indicator_key": {"required": False}}


class ScorecardTemplateSerializer(StrictMixin, serializers.ModelSerializer):
    """A template and its items; the items' weights total 100."""

    items = TemplateItemSerializer(many=True)
    audience = serializers.ChoiceField(choices=ScorecardAudience.choices)
    period_kind = serializers.ChoiceField(choices=PeriodKind.choices)

    class Meta:
        model = ScorecardTemplate
        fields = ["id", "name", "audience", "period_kind", "is_active", "items", "version"]
        read_only_fields = ["id", "version"]


class ScorecardTemplateUpdateSerializer(ScorecardTemplateSerializer):
    audience = serializers.ChoiceField(choices=ScorecardAudience.choices, read_only=True)
    period_kind = serializers.ChoiceField(choices=PeriodKind.choices, read_only=True)
    items = TemplateItemSerializer(many=True, required=False)


def _items(data: list) -> list[dict[str, Any]]:
    return [dict(item) for item in data]


@extend_schema_view(
    list=extend_schema(
        summary="List scorecard templates",
        responses={200: ScorecardTemplateSerializer(many=True), **error_responses(400, *READ_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="Get a scorecard template",
        responses={200: ScorecardTemplateSerializer, **error_responses(*DETAIL_ERRORS)},
    ),
    create=extend_schema(
        summary="Create a scorecard template",
        request=ScorecardTemplateSerializer,
        responses={201: ScorecardTemplateSerializer, **error_responses(400, 401, 403, 409)},
    ),
    update=extend_schema(
        summary="Change a scorecard template",
        request=ScorecardTemplateUpdateSerializer,
        responses={200: ScorecardTemplateSerializer, **error_responses(*CHANGE_ERRORS)},
    ),
    partial_update=extend_schema(
        summary="Change part of a scorecard template",
        request=ScorecardTemplateUpdateSerializer,
        responses={200: ScorecardTemplateSerializer, **error_responses(*CHANGE_ERRORS)},
    ),
)
class ScorecardTemplateViewSet(
    ServiceCreateMixin, ServiceUpdateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet
):
    """Scorecard templates (R-KPI-2): read by everyone with a role, configured by admins."""

    queryset = ScorecardTemplate.objects.prefetch_related("items")
    serializer_class = ScorecardTemplateSerializer
    update_serializer_class = ScorecardTemplateUpdateSerializer
    ordering_fields = ["id"]
    ordering = ["id"]
    filterset_fields = ["audience", "period_kind", "is_active"]

    def service_create(self, data: dict) -> ScorecardTemplate:
        return services.scorecard_template_create(
            actor=self.request.user,
            name=data["name"],
            audience=data["audience"],
            period_kind=data["period_kind"],
            items=_items(data["items"]),
        )

    def service_update(self, instance, data: dict, *, expected_version: int | None) -> ScorecardTemplate:
        items = data.pop("items", None)
        return services.scorecard_template_update(
            actor=self.request.user,
            template=instance,
            data=data,
            items=_items(items) if items is not None else None,
            expected_version=expected_version,
        )


class IndicatorsView(BaseAPIView):
    """The presales and sales indicators of some people for one period (R-KPI-1): one query per
    indicator, whatever the number of people."""

    permission_classes = [HasRole]

    @extend_schema(
        parameters=[
            OpenApiParameter("people", str, required=True, description="Comma-separated user ids."),
            OpenApiParameter("period", str, required=True, description="2026-11, 2026-Q4 or 2026."),
            OpenApiParameter("keys", str, description="Comma-separated indicator keys (all by default)."),
        ],
        responses={200: OpenApiTypes.OBJECT, **error_responses(400, *READ_ERRORS)},
    )
    def get(self, request):
        params = request.query_params
        period = Period.parse(params.get("period", ""))
        raw = [p.strip() for p in params.get("people", "").split(",") if p.strip()]
        if not raw or not all(p.isdigit() for p in raw) or len(raw) > 500:
            raise DomainError(fields={"people": [gettext("Give up to 500 user ids separated by commas.")]})
        wanted = {int(p) for p in raw}
        allowed = {request.user.pk} if request.user.pk in wanted else set()
        teams = appraised_team_ids(request.user)
        others = wanted - allowed
        if others:
            people = selectors.appraised_people(request.user).filter(pk__in=sorted(others))
            if teams is None:
                people = User.objects.filter(pk__in=sorted(others))
            allowed |= set(people.values_list("pk", flat=True))
        known = {i.key: i for i in indicators()}
        keys: list[str] = [k.strip() for k in params.get("keys", "").split(",") if k.strip()] or list(known)
        unknown = [k for k in keys if k not in known]
        if unknown:
            raise DomainError(
                fields={"keys": [_("Unknown indicators: %(keys)s.") % {"keys": ", ".join(unknown)}]}
            )
        values = compute_all(keys, sorted(allowed), period)
        return Response(
            {
                "period": period.key,
                "partial": period.is_partial(),
                "indicators": [
                    {
                        "key": key,
                        "label": str(known[key].label),
                        "unit": known[key].unit,
                        "definition": str(known[key].definition),
                    }
                    for key in keys
                ],
                "people": [
                    {
                        "person": pk,
                        "values": {
                            key: values.get(key, {}).get(pk).as_dict()  # type: ignore[union-attr]
                            if values.get(key, {}).get(pk) is not None
                            else None
                            for key in keys
                        },
                        "records": {key: known[key].records_url(pk, period) for key in keys},
                    }
                    for pk in sorted(allowed)
                ],
            }
        )
