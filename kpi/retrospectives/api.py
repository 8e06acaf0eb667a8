"""/api/v1/retrospectives/ (R-POST-2): list, retrieve, update (PUT/PATCH of the minutes and the
attendees, with the version), and the actions ``hold`` and ``consent``. Scoped through the
opportunity (a retrospective the caller does not see is 404); every write calls the
services, which check who may and the gate."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action

from kpi.models import CustomerConsent, Retrospective
from kpi.retrospectives import services
from kpi.retrospectives.filtersets import RetrospectiveFilterSet
from opportunities.choices import CloseReason
from presales.accounts.models import User
from presales.api.schema import error_responses
from presales.api.serializers import StrictMixin
from presales.api.viewsets import (
    CHANGE_ERRORS,
    DETAIL_ERRORS,
    IF_MATCH,
    READ_ERRORS,
    ScopedReadOnlyViewSet,
    expected_version,
    without_version,
)

READ_FIELDS = [
    "id",
    "opportunity",
    "outcome",
    "status",
    "closed_at",
    "due_on",
    "held_on",
    "held_by",
    "close_reason",
    "reasons",
    "competitor_name",
    "went_well",
    "lessons",
    "improvements",
    "attendees",
    "other_attendees",
    "success_case_proposed",
    "customer_consent",
    "consent_note",
    "success_case_summary",
    "version",
    "created_at",
    "updated_at",
]


def _actor(request: Any) -> User:
    """The signed-in user (the base views and viewsets let no anonymous caller through)."""
    return cast(User, request.user)


class RetrospectiveSerializer(serializers.ModelSerializer):
    """A retrospective (R-POST-2). ``competitor_name`` is text until competitor records exist."""

    class Meta:
        model = Retrospective
        fields = READ_FIELDS
        read_only_fields = READ_FIELDS


class RetrospectiveUpdateSerializer(StrictMixin, serializers.Serializer):
    close_reason = serializers.ChoiceField(choices=CloseReason.choices, required=False, allow_blank=True)
    reasons = serializers.CharField(required=False, allow_blank=True)
    competitor_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    went_well = serializers.CharField(required=False, allow_blank=True)
    lessons = serializers.CharField(required=False, allow_blank=True)
    improvements = serializers.CharField(required=False, allow_blank=True)
    other_attendees = serializers.CharField(required=False, allow_blank=True, max_length=300)
    success_case_summary = serializers.CharField(required=False, allow_blank=True)
    attendees = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), many=True, required=False
    )


class HoldSerializer(StrictMixin, serializers.Serializer):
    held_on = serializers.DateField(required=False)


class ConsentSerializer(StrictMixin, serializers.Serializer):
    consent = serializers.ChoiceField(choices=CustomerConsent.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)
    summary = serializers.CharField(required=False, allow_blank=True)


@extend_schema_view(
    list=extend_schema(
        summary="List retrospectives",
        responses={200: RetrospectiveSerializer(many=True), **error_responses(400, *READ_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="Get a retrospective",
        responses={200: RetrospectiveSerializer, **error_responses(*DETAIL_ERRORS)},
    ),
    update=extend_schema(
        summary="Replace a retrospective's minutes",
        parameters=[IF_MATCH],
        request=RetrospectiveUpdateSerializer,
        responses={200: RetrospectiveSerializer, **error_responses(*CHANGE_ERRORS)},
    ),
    partial_update=extend_schema(
        summary="Change a retrospective's minutes",
        parameters=[IF_MATCH],
        request=RetrospectiveUpdateSerializer,
        responses={200: RetrospectiveSerializer, **error_responses(*CHANGE_ERRORS)},
    ),
)
class RetrospectiveViewSet(mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    """Retrospectives of the opportunities the caller sees (R-POST-2)."""

    queryset = Retrospective.objects.select_related("opportunity").prefetch_related("attendees")
    serializer_class = RetrospectiveSerializer
    update_serializer_class = RetrospectiveUpdateSerializer
    filterset_class = RetrospectiveFilterSet
    ordering_fields = ["closed_at", "due_on", "id"]
    ordering = ["-closed_at", "-id"]

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        expected = expected_version(request)
        data = self.validated(
            RetrospectiveUpdateSerializer,
            data=without_version(request.data),
            partial=kwargs.pop("partial", False),
        )
        attendees = data.pop("attendees", None)
        updated = services.retrospective_update(
            actor=_actor(request),
            retrospective=instance,
            data=data,
            attendees=attendees,
            expected_version=expected,
        )
        return self.represent(updated)

    @extend_schema(
        request=HoldSerializer, responses={200: RetrospectiveSerializer, **error_responses(*CHANGE_ERRORS)}
    )
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        """Record the meeting as held: 409 with the reasons unless reasons, lessons and a
        presales attendee are there (R-POST-2)."""
        data = self.validated(HoldSerializer)
        retrospective = services.retrospective_hold(
            actor=_actor(request),
            retrospective=self.get_object(),
            held_on=data.get("held_on"),
            expected_version=expected_version(request),
        )
        return self.represent(retrospective)

    @extend_schema(
        request=ConsentSerializer, responses={200: RetrospectiveSerializer, **error_responses(*CHANGE_ERRORS)}
    )
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None):
        """Record the customer's consent to publishing the success case (R-POST-2)."""
        data = self.validated(ConsentSerializer)
        retrospective = services.retrospective_record_consent(
            actor=_actor(request),
            retrospective=self.get_object(),
            consent=data["consent"],
            note=data.get("note", ""),
            summary=data.get("summary"),
        )
        return self.represent(retrospective)
