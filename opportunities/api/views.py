"""/api/v1/opportunities/: CRUD minus the stage, lifecycle moves, stage history, initiation.

The stage is read-only here: it changes only through ``POST {id}/move/``, which calls the
same service as the board and answers 409 ``{"code": "gate_refused", "reasons": [...]}``
when a gate refuses. Querysets are scoped in the base mixin (out of scope is 404).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from leads.api import serializers as lead_serializers
from leads.api.views import LeadViewSet
from opportunities.api.serializers import (
    DeskSerializer,
    InitiationSerializer,
    MoveOptionSerializer,
    MoveRequestSerializer,
    OpportunitySerializer,
    QualifiedLeadSerializer,
    StageChangeSerializer,
    WithdrawSerializer,
)
from opportunities.competitors.selectors import with_competitors_in_play
from opportunities.desk import desk_sections
from opportunities.filtersets import OpportunityFilterSet
from opportunities.models import (
    Opportunity,
    ProjectInitiation,
)
from opportunities.permissions import can_work_opportunity
from opportunities.services import (
    initiation_save,
    initiation_submit,
    initiation_withdraw,
    opportunity_create,
    opportunity_move,
    opportunity_qualify_lead,
    opportunity_update,
)
from opportunities.transitions import MACHINE
from presales.api.schema import error_responses
from presales.api.viewsets import CHANGE_ERRORS, ServiceViewSet, etag_for, expected_version, without_version


def _errors(*codes: int) -> dict:
    return error_responses(*codes)


def _badge(value) -> str | None:
    return None if value is None or value == "" else str(value)


@extend_schema_view(
    list=extend_schema(responses={200: OpportunitySerializer(many=True), **_errors(400, 403)}),
    retrieve=extend_schema(responses={200: OpportunitySerializer, **_errors(403, 404)}),
    create=extend_schema(responses={201: OpportunitySerializer, **_errors(400, 403)}),
    update=extend_schema(responses={200: OpportunitySerializer, **_errors(400, 403, 404, 409)}),
    partial_update=extend_schema(responses={200: OpportunitySerializer, **_errors(400, 403, 404, 409)}),
)
class OpportunityViewSet(ServiceViewSet):
    """Opportunities in the caller's scope. No DELETE: an opportunity ends as lost or
    abandoned (``move``), so the pipeline history stays whole."""

    queryset = with_competitors_in_play(Opportunity.objects.for_cards())
    serializer_class = OpportunitySerializer
    filterset_class = OpportunityFilterSet
    ordering_fields = ["updated_at", "created_at", "expected_close", "amount", "stage_entered_at", "title"]
    ordering = ["-updated_at", "-id"]

    def service_create(self, data: dict) -> Opportunity:
        return opportunity_create(actor=self.request.user, data=data)

    def service_update(self, instance, data: dict, *, expected_version: int | None) -> Opportunity:
        return opportunity_update(
            actor=self.request.user, opportunity=instance, data=data, expected_version=expected_version
        )

    @extend_schema(
        request=MoveRequestSerializer,
        responses={200: OpportunitySerializer, **_errors(400, 403, 404, 409)},
        description=_(
            "Make a lifecycle move (see GET moves/). Refused moves answer 409 with "
            '{"code": "gate_refused", "reasons": [...]}; moves you may not make answer 403.'
        ),
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        opportunity = self.get_object()
        data = self.validated(MoveRequestSerializer)
        name = data.pop("move")
        note = data.pop("note", "")
        opportunity_move(actor=request.user, opportunity=opportunity, move=name, note=note, **data)
        return self.represent(opportunity)

    # The list's filters do not apply to one opportunity's moves (schemathesis: documented
    # query parameters that the answer ignores).
    @extend_schema(filters=False, responses={200: MoveOptionSerializer(many=True), **_errors(403, 404)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def moves(self, request, pk=None):
        """The moves the caller may make now, each with the reasons its gates give."""
        opportunity = self.get_object()
        options = MACHINE.options(opportunity, request.user)
        return Response(MoveOptionSerializer(options, many=True).data)

    @extend_schema(filters=False, responses={200: DeskSerializer, **_errors(403, 404)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def desk(self, request, pk=None):
        """The opportunity desk (issue 10): the web page's sections with their badges, the
        moves the caller may make now with the reasons blocked ones are blocked, and the
        links to its lead and customer."""
        opportunity = self.get_object()
        sections = [
            {
                "key": s.key,
                "label": str(s.label),
                "order": s.order,
                "badge": None if s.badge is None else _badge(s.badge(opportunity)),
            }
            for s in desk_sections()
        ]
        options = (
            MACHINE.options(opportunity, request.user)
            if can_work_opportunity(request.user, opportunity)
            else []
        )
        body = {
            "web": opportunity.get_absolute_url(),
            "stage": opportunity.stage,
            "sections": sections,
            "options": MoveOptionSerializer(options, many=True).data,
            "links": OpportunitySerializer().get_links(opportunity),
        }
        return Response(body)

    @extend_schema(filters=False, responses={200: StageChangeSerializer(many=True), **_errors(403, 404)})
    @action(detail=True, methods=["get"], url_path="stage-changes", pagination_class=None)
    def stage_changes(self, request, pk=None):
        """Every stage change of the opportunity, newest first (R-OPP-3)."""
        opportunity = self.get_object()
        changes = opportunity.stage_changes.select_related("actor")
        return Response(StageChangeSerializer(changes, many=True).data)

    @extend_schema(
        methods=["GET"],
        responses={200: InitiationSerializer, **_errors(403, 404)},
    )
    @extend_schema(
        methods=["PUT"],
        request=InitiationSerializer,
        responses={200: InitiationSerializer, 201: InitiationSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["get", "put"], pagination_class=None)
    def initiation(self, request, pk=None):
        """The project initiation request (R-OPP-2): read it, or write it (draft or rejected)."""
        opportunity = self.get_object()
        existing = ProjectInitiation.objects.filter(opportunity=opportunity).first()
        if request.method == "GET":
            if existing is None:
                return Response(
                    {"code": "not_found", "message": _("No initiation request yet."), "fields": {}},
                    status=status.HTTP_404_NOT_FOUND,
                )
            return Response(InitiationSerializer(existing).data, headers={"ETag": etag_for(existing.version)})
        expected = expected_version(request)
        data = self.validated(InitiationSerializer, data=without_version(request.data))
        team = data.pop("proposed_team", None)
        initiation = initiation_save(
            actor=request.user, opportunity=opportunity, data=data, team=team, expected_version=expected
        )
        return Response(
            InitiationSerializer(initiation).data,
            status=status.HTTP_200_OK if existing else status.HTTP_201_CREATED,
            headers={"ETag": etag_for(initiation.version)},
        )

    @extend_schema(request=None, responses={200: InitiationSerializer, **_errors(403, 404, 409)})
    @action(detail=True, methods=["post"], url_path="initiation/submit")
    def initiation_submit(self, request, pk=None):
        """Send the request to review (starts a review of kind "initiation")."""
        opportunity = self.get_object()
        initiation = get_object_or_404(ProjectInitiation, opportunity=opportunity)
        initiation = initiation_submit(actor=request.user, initiation=initiation)
        return Response(InitiationSerializer(initiation).data)

    @extend_schema(
        request=WithdrawSerializer, responses={200: InitiationSerializer, **_errors(400, 403, 404, 409)}
    )
    @action(detail=True, methods=["post"], url_path="initiation/withdraw")
    def initiation_withdraw(self, request, pk=None):
        """Take the request back from review (its review is cancelled)."""
        opportunity = self.get_object()
        initiation = get_object_or_404(ProjectInitiation, opportunity=opportunity)
        data = self.validated(WithdrawSerializer)
        initiation = initiation_withdraw(actor=request.user, initiation=initiation, reason=data["reason"])
        return Response(InitiationSerializer(initiation).data)


class LeadQualifyViewSet(LeadViewSet):
    """``POST /api/v1/leads/{id}/qualify/`` (routed in ``opportunities.api.urls``): the lead
    API's qualify action, which also opens the opportunity (R-LEAD-4, R-OPP-1)."""

    @extend_schema(
        summary="Qualify the lead on its five-aspect evaluation (R-LEAD-4) and open its opportunity",
        request=lead_serializers.LeadQualifySerializer,
        responses={200: QualifiedLeadSerializer, **error_responses(*CHANGE_ERRORS)},
        tags=["leads"],
    )
    def qualify(self, request, pk=None):
        lead = self.get_object()
        data = self.validated(lead_serializers.LeadQualifySerializer)
        opportunity_qualify_lead(
            actor=request.user,
            lead=lead,
            evaluation=dict(data["evaluation"]),
            customer=data.get("customer"),
            # What the caller left out takes the lead's defaults (R-OPP-1).
            data={k: data[k] for k in lead_serializers.LeadQualifySerializer.OPPORTUNITY_KEYS if data.get(k)},
        )
        # Issue 10: the answer names the opportunity the lead became.
        fresh = self.get_queryset().get(pk=lead.pk)
        return Response(QualifiedLeadSerializer(fresh, context=self.get_serializer_context()).data)
