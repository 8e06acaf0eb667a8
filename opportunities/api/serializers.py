"""Serializers of /api/v1/opportunities/: the opportunity (the stage read-only), the move
request and options, the stage history, the initiation request and its status changes."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from leads.api.serializers import LeadSerializer
from leads.models import Customer
from opportunities.choices import CloseReason, ProjectRole
from opportunities.competitors.api import CompetitorInPlaySerializer
from opportunities.models import (
    InitiationStatusChange,
    Opportunity,
    ProjectInitiation,
    ProjectMember,
    StageChange,
)
from opportunities.services import (
    OPPORTUNITY_FIELDS,
)
from opportunities.transitions import MACHINE
from presales.accounts import selectors as people
from presales.accounts.models import Team, User
from presales.api.fields import ScopedPrimaryKeyRelatedField
from presales.api.serializers import StrictMixin


class ProjectMemberSerializer(serializers.ModelSerializer):
    user_name = serializers.CharField(source="user.__str__", read_only=True)

    class Meta:
        model = ProjectMember
        fields = ["user", "user_name", "role", "responsibility", "created_at"]


class OpportunityLinksSerializer(serializers.Serializer):
    lead = serializers.IntegerField(allow_null=True)
    lead_api = serializers.CharField(allow_null=True)
    lead_web = serializers.CharField(allow_null=True)
    customer = serializers.IntegerField()
    customer_api = serializers.CharField()
    customer_web = serializers.CharField()
    web = serializers.CharField()


class OpportunitySerializer(StrictMixin, serializers.ModelSerializer):
    """An opportunity (R-OPP-1). ``stage`` and the closing facts are read-only: they
    change through ``POST {id}/move/``; sending them, or an unknown key, is a 400."""

    read_only_messages = {"stage": gettext_lazy("The stage changes only through POST …/move/.")}

    # Only active customers the caller may see: an invisible one looks like a missing one.
    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all(), narrow=lambda qs: qs.active())
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    # Declared for the schema: blank while the opportunity is open.
    close_reason = serializers.ChoiceField(choices=CloseReason.choices, allow_blank=True, read_only=True)
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
    competitors_in_play = serializers.SerializerMethodField(
        help_text="R-COMP-1: the competitors in play as records (their offer, price in the "
        "opportunity's currency, our differentiators); ``competitors`` lists their names."
    )
    links = serializers.SerializerMethodField(
        help_text="Where the opportunity's lead and customer are (ids, API and web addresses); "
        "the lead's are null for an opportunity opened directly on a customer."
    )

    @extend_schema_field(CompetitorInPlaySerializer(many=True))
    def get_competitors_in_play(self, obj) -> list:
        rows = getattr(obj, "competitors_in_play", None)
        if rows is None:  # not prefetched (an answer built outside the list's queryset)
            rows = obj.competitor_links.filter(in_play=True).select_related("competitor").order_by("pk")
        return CompetitorInPlaySerializer(rows, many=True).data

    @extend_schema_field(OpportunityLinksSerializer)
    def get_links(self, obj) -> dict:
        """Issue 10: lead <-> opportunity <-> customer (from the ids the row carries: no query)."""
        lead = obj.lead_id
        return {
            "lead": lead,
            "lead_api": reverse("lead-detail", args=[lead]) if lead else None,
            "lead_web": reverse("leads:lead_detail", args=[lead]) if lead else None,
            "customer": obj.customer_id,
            "customer_api": reverse("customer-detail", args=[obj.customer_id]),
            "customer_web": reverse("leads:customer_detail", args=[obj.customer_id]),
            "web": obj.get_absolute_url(),
        }

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "version",
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
            "competitors_in_play",
            "links",
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


class MoveRequestSerializer(StrictMixin, serializers.Serializer):
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


class DeskSectionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The section's anchor on the web page (#key).")
    label = serializers.CharField()
    order = serializers.IntegerField()
    badge = serializers.CharField(
        allow_null=True, help_text="A short count or status, if the section has one."
    )


class DeskSerializer(serializers.Serializer):
    """Issue 10: the opportunity desk in one read: the sections of its web page (with their
    badges), the moves the caller may make with the reasons the blocked ones are blocked, and
    where its lead and customer are."""

    web = serializers.CharField()
    stage = serializers.CharField()
    sections = DeskSectionSerializer(many=True)
    options = MoveOptionSerializer(many=True)
    links = OpportunityLinksSerializer()


class QualifiedLeadSerializer(LeadSerializer):
    """The qualified lead, with the opportunity it became (issue 10)."""

    opportunity = serializers.SerializerMethodField(help_text="The id of the opportunity the lead became.")

    class Meta(LeadSerializer.Meta):
        fields = [*LeadSerializer.Meta.fields, "opportunity"]
        read_only_fields = [*getattr(LeadSerializer.Meta, "read_only_fields", []), "opportunity"]

    def get_opportunity(self, obj) -> int | None:
        return Opportunity.objects.filter(lead_id=obj.pk).values_list("pk", flat=True).first()


class StageChangeSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor.__str__", read_only=True)
    note = serializers.CharField(
        source="note_text",
        read_only=True,
        help_text="A system note in the caller's language; a person's as typed.",
    )

    class Meta:
        model = StageChange
        fields = ["id", "from_stage", "to_stage", "move", "actor", "actor_name", "note", "details", "at"]


class InitiationStatusChangeSerializer(serializers.ModelSerializer):
    """One status change of the initiation request (R-OPP-2, R-OPP-3): who, when, from, to,
    move, note, and the revision it applied to."""

    actor_name = serializers.CharField(source="actor.__str__", read_only=True)
    note = serializers.CharField(
        source="note_text",
        read_only=True,
        help_text="A system note in the caller's language; a person's as typed.",
    )

    class Meta:
        model = InitiationStatusChange
        fields = ["id", "from_status", "to_status", "move", "actor", "actor_name", "note", "revision", "at"]
        read_only_fields = fields


class ProposedMemberSerializer(StrictMixin, serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    role = serializers.ChoiceField(choices=ProjectRole.choices)
    responsibility = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class InitiationSerializer(StrictMixin, serializers.ModelSerializer):
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
            "version",
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


class WithdrawSerializer(StrictMixin, serializers.Serializer):
    reason = serializers.CharField()
