"""/api/v1/competitors/ and /api/v1/opportunity-competitors/ (R-COMP-1).

Competitors: list (``?q=`` by name), read, create, change (managers and admins; the
records are readable by every member of staff). ``GET/POST {id}/intel/`` is the
intelligence timeline and how a piece is recorded (any writer); ``GET {id}/win-loss/`` the
win/loss against them per quarter over the caller's opportunities.

Opportunity competitors: the competitors in play on the opportunities the caller sees (another
team's are 404): list (``?opportunity=``, ``?competitor=``), read, add (a ``competitor`` id or
a ``name``, created when new), change, delete, by who may work the opportunity. The price is in
the opportunity's currency (``currency``, read-only).
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from opportunities.competitors import selectors, services
from opportunities.competitors.services import COMPETITOR_FIELDS
from opportunities.models import (
    Competitor,
    CompetitorIntel,
    CompetitorProduct,
    Opportunity,
    OpportunityCompetitor,
)
from presales.api.fields import ScopedPrimaryKeyRelatedField
from presales.api.permissions import HasRole
from presales.api.schema import error_responses
from presales.api.serializers import StrictMixin
from presales.api.viewsets import DETAIL_ERRORS, ScopedModelViewSet, ServiceViewSet, crud_schema
from presales.core.search import search


class CompetitorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Name contains"))

    class Meta:
        model = Competitor
        fields = ["q"]

    def filter_q(self, queryset, name, value):
        return search(queryset, value.strip()[:100], ("name",)) if value.strip() else queryset


class CompetitorProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = CompetitorProduct
        fields = ["id", "name", "price_range", "notes"]


class CompetitorSerializer(StrictMixin, serializers.ModelSerializer):
    """A competitor record (R-COMP-1); ``aliases`` one per line; products read-only here."""

    products = CompetitorProductSerializer(many=True, read_only=True)

    class Meta:
        model = Competitor
        fields = ["id", "version", *COMPETITOR_FIELDS, "products", "created_at", "updated_at"]
        read_only_fields = ["id", "version", "created_at", "updated_at"]
        extra_kwargs = {"name": {"validators": []}}  # the service reports a duplicate name


class CompetitorIntelSerializer(StrictMixin, serializers.ModelSerializer):
    """A piece of intelligence: text, source and the day observed are required."""

    opportunity = ScopedPrimaryKeyRelatedField(
        queryset=Opportunity.objects.all(), required=False, allow_null=True
    )
    recorded_by_name = serializers.CharField(source="recorded_by.__str__", read_only=True)

    class Meta:
        model = CompetitorIntel
        fields = [
            "id",
            "text",
            "source",
            "observed_on",
            "opportunity",
            "recorded_by",
            "recorded_by_name",
            "created_at",
        ]
        read_only_fields = ["id", "recorded_by", "created_at"]


class WinLossSerializer(serializers.Serializer):
    quarter = serializers.CharField(help_text="e.g. 2026-Q4, the quarter the opportunity closed")
    won = serializers.IntegerField(help_text="We won (handoff) with them on the opportunity")
    lost_to_them = serializers.IntegerField(help_text="Lost, with them as the winner")
    lost_to_others = serializers.IntegerField(help_text="Lost to someone else or no winner named")


@crud_schema("competitor", CompetitorSerializer)
class CompetitorViewSet(ServiceViewSet):
    """Competitor records: reference data read by all staff, written by managers and admins."""

    permission_classes = [HasRole]
    queryset = Competitor.objects.prefetch_related("products")
    serializer_class = CompetitorSerializer
    filterset_class = CompetitorFilter
    ordering_fields = ["created_at", "id"]
    ordering = ["-id"]  # newest first; ?q= finds a name

    def service_create(self, data: dict) -> Competitor:
        return services.competitor_create(actor=self.request.user, data=data)

    def service_update(self, instance, data: dict, *, expected_version: int | None) -> Competitor:
        return services.competitor_update(
            actor=self.request.user, competitor=instance, data=data, expected_version=expected_version
        )

    @extend_schema(
        filters=False,
        methods=["GET"],
        responses={200: CompetitorIntelSerializer(many=True), **error_responses(*DETAIL_ERRORS)},
    )
    @extend_schema(
        methods=["POST"],
        request=CompetitorIntelSerializer,
        responses={201: CompetitorIntelSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def intel(self, request, pk=None):
        """The intelligence timeline, newest observation first (GET, the latest 50); record a piece (POST)."""
        competitor = self.get_object()
        if request.method == "POST":
            data = self.validated(CompetitorIntelSerializer)
            intel = services.intel_add(actor=request.user, competitor=competitor, **data)
            return Response(
                CompetitorIntelSerializer(intel, context=self.get_serializer_context()).data,
                status=status.HTTP_201_CREATED,
            )
        rows = selectors.intel_of(competitor)
        return Response(
            CompetitorIntelSerializer(rows, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(
        filters=False, responses={200: WinLossSerializer(many=True), **error_responses(*DETAIL_ERRORS)}
    )
    @action(detail=True, methods=["get"], url_path="win-loss", pagination_class=None)
    def win_loss(self, request, pk=None):
        """Win/loss against this competitor per quarter, over the opportunities the caller sees."""
        rows = selectors.win_loss_by_quarter(request.user, self.get_object())
        return Response(WinLossSerializer(rows, many=True).data)


class OpportunityCompetitorFilter(django_filters.FilterSet):
    opportunity = django_filters.NumberFilter(field_name="opportunity", label=_("Opportunity"))
    competitor = django_filters.NumberFilter(field_name="competitor", label=_("Competitor"))

    class Meta:
        model = OpportunityCompetitor
        fields = ["opportunity", "competitor", "in_play"]


class OpportunityCompetitorSerializer(StrictMixin, serializers.ModelSerializer):
    """A competitor in play on an opportunity: give ``competitor`` (an id) or ``name``."""

    opportunity = ScopedPrimaryKeyRelatedField(queryset=Opportunity.objects.all())
    competitor = serializers.PrimaryKeyRelatedField(queryset=Competitor.objects.all(), required=False)
    name = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="A competitor's name (created when new)",
    )
    competitor_name = serializers.CharField(source="competitor.name", read_only=True)
    currency = serializers.CharField(source="opportunity.currency", read_only=True)
    price = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, required=False, allow_null=True
    )

    class Meta:
        model = OpportunityCompetitor
        fields = [
            "id",
            "version",
            "opportunity",
            "competitor",
            "name",
            "competitor_name",
            "offer",
            "price",
            "currency",
            "differentiators",
            "in_play",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "version", "created_at", "updated_at"]
        validators: list = []  # the service reports a competitor already on the opportunity


class OpportunityCompetitorUpdateSerializer(OpportunityCompetitorSerializer):
    opportunity = serializers.PrimaryKeyRelatedField(read_only=True)  # type: ignore[assignment]
    competitor = serializers.PrimaryKeyRelatedField(read_only=True)  # type: ignore[assignment]


class CompetitorInPlaySerializer(serializers.ModelSerializer):
    """A competitor in play as the opportunity's answer nests it (read-only)."""

    competitor_name = serializers.CharField(source="competitor.name", read_only=True)

    class Meta:
        model = OpportunityCompetitor
        fields = ["id", "competitor", "competitor_name", "offer", "price", "differentiators"]
        read_only_fields = fields


@crud_schema(
    "opportunity competitor",
    OpportunityCompetitorSerializer,
    update=OpportunityCompetitorUpdateSerializer,
    destroy=True,
)
class OpportunityCompetitorViewSet(ScopedModelViewSet):
    """The competitors on the opportunities the caller sees (R-COMP-1)."""

    queryset = OpportunityCompetitor.objects.select_related("competitor", "opportunity")
    serializer_class = OpportunityCompetitorSerializer
    update_serializer_class = OpportunityCompetitorUpdateSerializer
    filterset_class = OpportunityCompetitorFilter
    ordering_fields = ["id", "created_at"]
    ordering = ["id"]

    def service_create(self, data: dict) -> OpportunityCompetitor:
        opportunity = data.pop("opportunity")
        competitor = data.pop("competitor", None)
        name = data.pop("name", "")
        return services.opportunity_competitor_add(
            actor=self.request.user, opportunity=opportunity, competitor=competitor, name=name, data=data
        )

    def service_update(self, instance, data: dict, *, expected_version: int | None) -> OpportunityCompetitor:
        data.pop("name", None)
        return services.opportunity_competitor_update(
            actor=self.request.user, link=instance, data=data, expected_version=expected_version
        )

    def service_destroy(self, instance) -> None:
        services.opportunity_competitor_remove(actor=self.request.user, link=instance)
