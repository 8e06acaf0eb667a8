"""/api/v1/risks/ and /api/v1/credit-assessments/ (R-RISK-1).

Risks: list (filters ``category``, ``level``, ``status``, ``owner``, ``opportunity``; the
highest score first), read, create, change (with ``version``/``If-Match``); the score, the
level and the status are read-only. Actions: ``review`` (the next review date and a note:
the review timer starts again), ``accept`` (a manager, with a reason: 403 otherwise),
``close``. Credit assessments: list (``?opportunity=``), read, record; never changed (a new
assessment is a new row).

Querysets are scoped by the opportunity's visibility (another team's records are 404 /
absent); every write calls the services.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action

from bids.models import CreditAssessment, Risk
from bids.risks import services
from bids.risks.choices import RiskLevel
from bids.risks.forms import RiskFilter
from opportunities.models import Opportunity
from presales.accounts.models import User
from presales.api.fields import ScopedPrimaryKeyRelatedField
from presales.api.permissions import CanWriteRecords, HasRole
from presales.api.schema import error_responses
from presales.api.serializers import StrictMixin
from presales.api.viewsets import (
    CHANGE_ERRORS,
    BaseViewSet,
    ScopedQuerysetMixin,
    ServiceCreateMixin,
    ServiceViewSet,
    crud_schema,
)


class RiskSerializer(StrictMixin, serializers.ModelSerializer):
    """A risk of an opportunity (R-RISK-1): score = likelihood × impact, level by the
    thresholds of settings."""

    read_only_messages = {
        "score": _("The score is likelihood × impact."),
        "level": _("The level follows the score."),
        "status": _("The status moves through the accept and close actions."),
    }
    opportunity = ScopedPrimaryKeyRelatedField(queryset=Opportunity.objects.all())
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False)
    likelihood = serializers.IntegerField(min_value=1, max_value=5)
    impact = serializers.IntegerField(min_value=1, max_value=5)
    review_on = serializers.DateField(required=False)
    level = serializers.SerializerMethodField()

    class Meta:
        model = Risk
        fields = [
            "id",
            "opportunity",
            *services.RISK_FIELDS,
            "score",
            "level",
            "status",
            "accepted_by",
            "accepted_at",
            "acceptance_reason",
            "last_reviewed_at",
            "review_note",
            "closed_at",
            "close_note",
            "created_by",
            "created_at",
            "version",
        ]
        read_only_fields = [
            "id",
            "score",
            "status",
            "accepted_by",
            "accepted_at",
            "acceptance_reason",
            "last_reviewed_at",
            "review_note",
            "closed_at",
            "close_note",
            "created_by",
            "created_at",
            "version",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=RiskLevel.choices))
    def get_level(self, risk: Risk) -> str:
        return risk.level


class RiskUpdateSerializer(RiskSerializer):
    opportunity = serializers.PrimaryKeyRelatedField(read_only=True)


class RiskReviewSerializer(serializers.Serializer):
    next_review_on = serializers.DateField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    version = serializers.IntegerField(required=False)


class RiskAcceptSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    version = serializers.IntegerField(required=False)


class RiskCloseSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    version = serializers.IntegerField(required=False)


@crud_schema("risk", RiskSerializer, update=RiskUpdateSerializer)
class RiskViewSet(ServiceViewSet):
    """Risks of the opportunities the caller sees (R-RISK-1); never deleted (closed instead)."""

    queryset = Risk.objects.select_related("opportunity", "owner")
    serializer_class = RiskSerializer
    update_serializer_class = RiskUpdateSerializer
    filterset_class = RiskFilter
    ordering_fields = ["score", "review_on", "id"]
    ordering = ["-score", "-id"]

    def service_create(self, data: dict) -> Risk:
        opportunity = data.pop("opportunity")
        return services.risk_create(actor=self.request.user, opportunity=opportunity, data=data)

    def service_update(self, instance, data: dict, *, expected_version: int | None) -> Risk:
        return services.risk_update(
            actor=self.request.user, risk=instance, data=data, expected_version=expected_version
        )

    @extend_schema(
        request=RiskReviewSerializer, responses={200: RiskSerializer, **error_responses(*CHANGE_ERRORS)}
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Record the periodic review: the next review date and a note (the timer restarts)."""
        data = self.validated(RiskReviewSerializer)
        risk = services.risk_review_record(
            actor=request.user,
            risk=self.get_object(),
            next_review_on=data["next_review_on"],
            note=data.get("note", ""),
            expected_version=data.get("version"),
        )
        return self.represent(risk)

    @extend_schema(
        request=RiskAcceptSerializer, responses={200: RiskSerializer, **error_responses(*CHANGE_ERRORS)}
    )
    @action(detail=True, methods=["post"], permission_classes=[HasRole])
    def accept(self, request, pk=None):
        """A manager accepts the open risk with a reason: it no longer blocks the contract."""
        data = self.validated(RiskAcceptSerializer)
        risk = services.risk_accept(
            actor=request.user,
            risk=self.get_object(),
            reason=data["reason"],
            expected_version=data.get("version"),
        )
        return self.represent(risk)

    @extend_schema(
        request=RiskCloseSerializer, responses={200: RiskSerializer, **error_responses(*CHANGE_ERRORS)}
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the risk (its review timer is satisfied)."""
        data = self.validated(RiskCloseSerializer)
        risk = services.risk_close(
            actor=request.user,
            risk=self.get_object(),
            note=data.get("note", ""),
            expected_version=data.get("version"),
        )
        return self.represent(risk)


class CreditAssessmentFilter(django_filters.FilterSet):
    opportunity = django_filters.NumberFilter(field_name="opportunity", label=_("Opportunity"))

    class Meta:
        model = CreditAssessment
        fields = ["opportunity", "rating"]


class CreditAssessmentSerializer(StrictMixin, serializers.ModelSerializer):
    """The customer's credit assessment (客戶信用評估, R-RISK-1)."""

    opportunity = ScopedPrimaryKeyRelatedField(queryset=Opportunity.objects.all())
    assessed_on = serializers.DateField(required=False)
    valid_until = serializers.DateField(required=False)

    class Meta:
        model = CreditAssessment
        fields = [
            "id",
            "opportunity",
            *services.CREDIT_FIELDS,
            "assessed_by",
            "created_at",
        ]
        read_only_fields = ["id", "assessed_by", "created_at"]


@crud_schema("credit assessment", CreditAssessmentSerializer, updates=False)
class CreditAssessmentViewSet(
    ScopedQuerysetMixin,
    ServiceCreateMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    BaseViewSet,
):
    """Credit assessments of the opportunities the caller sees; recorded, never changed."""

    permission_classes = [CanWriteRecords]
    queryset = CreditAssessment.objects.select_related("opportunity", "assessed_by")
    serializer_class = CreditAssessmentSerializer
    filterset_class = CreditAssessmentFilter
    ordering_fields = ["assessed_on", "id"]
    ordering = ["-assessed_on", "-id"]

    def service_create(self, data: dict) -> CreditAssessment:
        opportunity = data.pop("opportunity")
        return services.credit_assessment_record(actor=self.request.user, opportunity=opportunity, data=data)
