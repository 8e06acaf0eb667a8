"""/api/v1/opportunities/: CRUD minus the stage, lifecycle moves, stage history, initiation.

The stage is read-only here: it changes only through ``POST {id}/move/``, which calls the
same service as the board and answers 409 ``{"code": "gate_refused", "reasons": [...]}``
when a gate refuses. Querysets are scoped in the base mixin (out of scope is 404).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from leads.api import serializers as lead_serializers
from leads.api.views import LeadViewSet
from leads.models import Customer
from opportunities.choices import CloseReason, ProjectRole
from opportunities.filtersets import OpportunityFilterSet
from opportunities.models import (
    InitiationStatusChange,
    Opportunity,
    ProjectInitiation,
    ProjectMember,
    StageChange,
)
from opportunities.services import (
    OPPORTUNITY_FIELDS,
    initiation_save,
    initiation_submit,
    initiation_withdraw,
    opportunity_create,
    opportunity_move,
    opportunity_qualify_lead,
    opportunity_update,
)
from opportunities.transitions import MACHINE
from presales.accounts import selectors as people
from presales.accounts.models import Team, User
from presales.api.fields import ScopedPrimaryKeyRelatedField
from presales.api.schema import error_responses
from presales.api.viewsets import CHANGE_ERRORS, ServiceViewSet

# --- serializers -------------------------------------------------------------------------


class ProjectMemberSerializer(serializers.ModelSerializer):
    user_name = serializers.CharField(source="user.__str__", read_only=True)

    class Meta:
        model = ProjectMember
        fields = ["user", "user_name", "role", "responsibility", "created_at"]


class OpportunitySerializer(serializers.ModelSerializer):
    """An opportunity (R-OPP-1). ``stage`` and the closing facts are read-only: they
    change through ``POST {id}/move/``; sending them is a 400."""

    # Only active customers the caller may see: an invisible one looks like a missing one.
    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all(), narrow=lambda qs: qs.active())
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    competitors = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, allow_empty=True
    )
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False)
    # The pickers offer only who can own (the service refuses anyone else as well).
    sales_owner = serializers.PrimaryKeyRelatedField(
        queryset=people.sales_people(),
        required=False,
        error_messages={"does_not_exist": gettext_lazy("Choose an active sales rep or sales manager.")},
    )
    presales_owner = serializers.PrimaryKeyRelatedField(
        queryset=people.presales_people(),
        required=False,
        allow_null=True,
        error_messages={
            "does_not_exist": gettext_lazy("Choose an active presales engineer or presales manager.")
        },
    )
    stage_display = serializers.CharField(source="get_stage_display", read_only=True)
    days_in_stage = serializers.IntegerField(read_only=True)
    members = ProjectMemberSerializer(many=True, read_only=True)

    class Meta:
        model = Opportunity
        fields = [
            "id",
            *OPPORTUNITY_FIELDS,
            "customer_name",
            "lead",
            "stage",
            "stage_display",
            "stage_entered_at",
            "days_in_stage",
            "bid_skip_reason",
            "close_reason",
            "close_note",
            "winning_competitor",
            "closed_at",
            "members",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "lead",
            "stage",
            "stage_entered_at",
            "bid_skip_reason",
            "close_reason",
            "close_note",
            "winning_competitor",
            "closed_at",
            "created_at",
            "updated_at",
        ]

    def validate(self, attrs):
        read_only = [
            name
            for name in self.Meta.read_only_fields + ["stage_display", "days_in_stage", "members"]
            if name in getattr(self, "initial_data", {})
        ]
        if read_only:
            raise serializers.ValidationError(
                {
                    name: [
                        _("The stage changes only through POST …/move/.")
                        if name == "stage"
                        else _("This field cannot be set here.")
                    ]
                    for name in read_only
                }
            )
        return attrs


class MoveRequestSerializer(serializers.Serializer):
    move = serializers.ChoiceField(choices=sorted(MACHINE.moves))
    note = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.ChoiceField(choices=CloseReason.choices, required=False, allow_blank=True)
    winning_competitor = serializers.CharField(required=False, allow_blank=True, max_length=200)
    bid_skip_reason = serializers.CharField(required=False, allow_blank=True)


class MoveOptionSerializer(serializers.Serializer):
    move = serializers.CharField(source="move.name")
    label = serializers.CharField(source="move.label")
    target = serializers.CharField(source="move.target")
    target_display = serializers.CharField(source="move.target.label")
    allowed = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    inputs = serializers.SerializerMethodField(help_text="Fields the move asks for besides the note.")
    note_required = serializers.SerializerMethodField()

    def get_inputs(self, obj) -> list[str]:
        return list(obj.move.input_fields)

    def get_note_required(self, obj) -> bool:
        return bool(obj.move.extra.get("note_required"))


class StageChangeSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor.__str__", read_only=True)

    class Meta:
        model = StageChange
        fields = ["id", "from_stage", "to_stage", "move", "actor", "actor_name", "note", "details", "at"]


class InitiationStatusChangeSerializer(serializers.ModelSerializer):
    """One status change of the initiation request (R-OPP-2, R-OPP-3): who, when, from, to,
    move, note, and the revision it applied to."""

    actor_name = serializers.CharField(source="actor.__str__", read_only=True)

    class Meta:
        model = InitiationStatusChange
        fields = ["id", "from_status", "to_status", "move", "actor", "actor_name", "note", "revision", "at"]
        read_only_fields = fields


class ProposedMemberSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    role = serializers.ChoiceField(choices=ProjectRole.choices)
    responsibility = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class InitiationSerializer(serializers.ModelSerializer):
    """The project initiation request (R-OPP-2). ``proposed_team`` replaces the proposal
    when sent; the owners join the team with their own roles."""

    proposed_team = ProposedMemberSerializer(many=True, required=False)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    status_changes = serializers.SerializerMethodField(
        help_text="Every status change of the request, newest first (read-only)."
    )

    class Meta:
        model = ProjectInitiation
        fields = [
            "background",
            "sales_strategy",
            "expected_goals",
            "proposed_team",
            "status",
            "status_display",
            "revision",
            "reviewed_revision",
            "submitted_by",
            "submitted_at",
            "approved_at",
            "rejected_at",
            "reviewed_facts",
            "status_changes",
        ]
        read_only_fields = [
            "status",
            "revision",
            "reviewed_revision",
            "submitted_by",
            "submitted_at",
            "approved_at",
            "rejected_at",
            "reviewed_facts",
        ]

    @extend_schema_field(InitiationStatusChangeSerializer(many=True))
    def get_status_changes(self, instance) -> list[dict]:
        changes = instance.status_changes.select_related("actor")
        return InitiationStatusChangeSerializer(changes, many=True).data

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["proposed_team"] = [
            {"user": m.user_id, "role": m.role, "responsibility": m.responsibility}
            for m in instance.proposed_members.all()
        ]
        return data


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField()


# --- views -------------------------------------------------------------------------------


def _errors(*codes: int) -> dict:
    return error_responses(*codes)


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

    queryset = Opportunity.objects.for_cards()
    serializer_class = OpportunitySerializer
    filterset_class = OpportunityFilterSet
    ordering_fields = ["updated_at", "created_at", "expected_close", "amount", "stage_entered_at", "title"]
    ordering = ["-updated_at", "-id"]

    def service_create(self, data: dict) -> Opportunity:
        return opportunity_create(actor=self.request.user, data=data)

    def service_update(self, instance, data: dict) -> Opportunity:
        return opportunity_update(actor=self.request.user, opportunity=instance, data=data)

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

    @extend_schema(responses={200: MoveOptionSerializer(many=True), **_errors(403, 404)})
    @action(detail=True, methods=["get"])
    def moves(self, request, pk=None):
        """The moves the caller may make now, each with the reasons its gates give."""
        opportunity = self.get_object()
        options = MACHINE.options(opportunity, request.user)
        return Response(MoveOptionSerializer(options, many=True).data)

    @extend_schema(responses={200: StageChangeSerializer(many=True), **_errors(403, 404)})
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
            return Response(InitiationSerializer(existing).data)
        data = self.validated(InitiationSerializer)
        team = data.pop("proposed_team", None)
        initiation = initiation_save(actor=request.user, opportunity=opportunity, data=data, team=team)
        return Response(
            InitiationSerializer(initiation).data,
            status=status.HTTP_200_OK if existing else status.HTTP_201_CREATED,
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
        responses={200: lead_serializers.LeadSerializer, **error_responses(*CHANGE_ERRORS)},
        tags=["leads"],
    )
    def qualify(self, request, pk=None):
        lead = self.get_object()
        data = self.validated(lead_serializers.LeadQualifySerializer)
        opportunity_qualify_lead(
            actor=request.user, lead=lead, evaluation=dict(data["evaluation"]), customer=data.get("customer")
        )
        return self.represent(lead)
