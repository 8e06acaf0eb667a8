"""Serializers of the leads API: they validate the *shape* of input only.

Every rule (grades, gates, duplicates, permissions) lives in leads/services.py; the views
hand ``validated_data`` to a service. Unknown and read-only keys in a request are refused
(400) rather than silently ignored, so a client never believes it changed, say, a status.
Contact details are masked for viewers without ``contact_access`` (R-CUST-6).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from leads.choices import LAWFUL_CONTACT_SOURCES, ContactSource, DisqualifyReason, FirstContactState
from leads.models import (
    MAX_NEED_TAGS,
    OVERRIDE_REASON_MAX,
    CommunicationRecord,
    Contact,
    ContactErasure,
    Customer,
    Lead,
    LeadStatusChange,
    MergeRecord,
    NeedTag,
    VisitPlan,
)
from leads.services import (
    COMMUNICATION_FIELDS,
    CONTACT_FIELDS,
    CUSTOMER_FIELDS,
    LEAD_CONTACT_FIELDS,
    LEAD_FIELDS,
    PARTICIPANT_FIELDS,
)
from presales.accounts import selectors as people
from presales.accounts.models import Team, User
from presales.api.fields import PlausibleDatesMixin, ScopedPrimaryKeyRelatedField
from presales.api.serializers import StrictMixin
from presales.core.scoping import mask_email, mask_phone

# --- building blocks -----------------------------------------------------------------------


def active_users():
    return User.objects.filter(is_active=True)


# The owner pickers offer only who can own; the services refuse anyone else as well.
OWNER_ERRORS = {"does_not_exist": _("Choose an active person whose role can own customers and leads.")}
PRESALES_ERRORS = {"does_not_exist": _("Choose an active presales engineer or presales manager.")}


class UserSummarySerializer(serializers.ModelSerializer):
    """A person as other records show them."""

    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name"]
        read_only_fields = fields


def user_summary(user: User) -> dict:
    """What :class:`UserSummarySerializer` writes, built directly: a list of 50 rows names
    about 100 people, and a serializer instance per person cost a third of the page's time
    (issue 9)."""
    return {"id": user.pk, "username": user.username, "name": str(user)}


class UserReferenceField(serializers.PrimaryKeyRelatedField):
    """Written as a user id, read as ``{id, username, name}``."""

    def use_pk_only_optimization(self) -> bool:
        return False

    def to_representation(self, value):
        return user_summary(value)

    def get_choices(self, cutoff=None):
        # Form choices (browsable API, OPTIONS) are keyed by the id that is written.
        queryset = self.get_queryset()
        if queryset is None:
            return {}
        if cutoff is not None:
            queryset = queryset[:cutoff]
        return {user.pk: self.display_value(user) for user in queryset}


class UserReferenceFieldExtension(OpenApiSerializerFieldExtension):
    """The schema of :class:`UserReferenceField`: an integer in requests, a user in responses."""

    target_class = UserReferenceField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return build_basic_type(OpenApiTypes.INT)
        return auto_schema.resolve_serializer(UserSummarySerializer, direction).ref


class NeedTagListField(serializers.ListField):
    """Need tags as a list of names (R-CUST-1); read from the prefetched relation."""

    child = serializers.CharField(max_length=NeedTag._meta.get_field("name").max_length)

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_NEED_TAGS)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        prefetched = instance.__dict__.get("prefetched_need_tags")
        tags = prefetched if prefetched is not None else instance.need_tags.all()
        return [tag.name for tag in tags]


def has_contact_access(instance) -> bool:
    """Rows come annotated by ``with_contact_access(user)``; unannotated rows are refused
    access, so a queryset that forgot the annotation masks rather than leaks."""
    return bool(getattr(instance, "contact_access", False))


class MaskedContactMixin:
    """Mask ``phone`` and ``email`` unless the row is annotated ``contact_access`` (R-CUST-6)."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not has_contact_access(instance):
            data["phone"] = mask_phone(data.get("phone") or "")
            data["email"] = mask_email(data.get("email") or "")
        return data

    def get_contact_masked(self, obj) -> bool:
        return not has_contact_access(obj)


# --- customers -----------------------------------------------------------------------------


class CustomerSerializer(StrictMixin, serializers.ModelSerializer):
    """A customer (R-CUST-1..5). ``grade`` may be set only with a ``grade_reason`` when it
    differs from fit × value (the service decides); ``primary_presales`` is set on create
    and changed through the ``primary-presales`` action."""

    need_tags = NeedTagListField(required=False)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=people.writers(), required=False, error_messages=OWNER_ERRORS
    )
    primary_presales = UserReferenceField(
        queryset=people.presales_people(),
        required=False,
        allow_null=True,
        error_messages=PRESALES_ERRORS,
        help_text=_("Required unless you are a presales engineer or manager yourself (R-CUST-5)."),
    )
    assistants = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = [
            "id",
            "version",
            *CUSTOMER_FIELDS,
            "need_tags",
            "graded_at",
            "suggested_tier",
            "suggested_tier_reason",
            "suggested_at",
            "primary_presales",
            "assistants",
            "last_progress_at",
            "merged_into",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "graded_at",
            "suggested_tier",
            "suggested_tier_reason",
            "suggested_at",
            "last_progress_at",
            "merged_into",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"grade": {"required": False}, "size_class": {"required": False}}

    @extend_schema_field(UserSummarySerializer(many=True))
    def get_assistants(self, obj) -> list[dict]:
        return [user_summary(a.user) for a in obj.assignments() if not a.is_primary]


class CustomerUpdateSerializer(CustomerSerializer):
    """Update: ``primary_presales`` is read-only here; it changes through the
    ``primary-presales`` action (R-CUST-5)."""

    primary_presales = UserReferenceField(read_only=True, allow_null=True)


class CustomerMergeSerializer(StrictMixin, serializers.Serializer):
    target = ScopedPrimaryKeyRelatedField(
        queryset=Customer.objects.all(), help_text=_("The surviving customer.")
    )


class PresalesUserSerializer(StrictMixin, serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(
        queryset=people.presales_people(),
        error_messages=PRESALES_ERRORS,
        help_text=_("A presales engineer's or presales manager's user id."),
    )


class MergeRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = MergeRecord
        fields = ["id", "kind", "source_id", "source_label", "target_id", "moved", "actor", "created_at"]
        read_only_fields = fields


class LeadStatusChangeSerializer(serializers.ModelSerializer):
    """One status change of a lead (R-LEAD-2, R-LEAD-4): who, when, from, to, move, note."""

    actor_name = serializers.CharField(source="actor.__str__", read_only=True)
    note = serializers.CharField(
        source="note_text",
        read_only=True,
        help_text="A system note in the caller's language; a person's as typed.",
    )

    class Meta:
        model = LeadStatusChange
        fields = ["id", "from_status", "to_status", "move", "actor", "actor_name", "note", "at"]
        read_only_fields = fields


# --- contacts ------------------------------------------------------------------------------


class ContactSerializer(StrictMixin, MaskedContactMixin, serializers.ModelSerializer):
    """A person at a customer (R-CUST-1). The customer is chosen on create only."""

    customer = serializers.PrimaryKeyRelatedField(read_only=True)
    contact_masked = serializers.SerializerMethodField(
        help_text=_("True when phone and email are masked for you (R-CUST-6).")
    )
    # R-CUST-8: only lawful sources are accepted ("unknown" marks contacts before the rule).
    source = serializers.ChoiceField(
        choices=ContactSource.choices,
        required=False,
        allow_blank=True,
        help_text=_("Where the person's details came from (R-CUST-8); unchanged when left out."),
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "version",
            "customer",
            *CONTACT_FIELDS,
            "contact_masked",
            "erased_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["erased_at", "created_at", "updated_at"]


class ContactEraseSerializer(StrictMixin, serializers.Serializer):
    """R-CUST-8: an erasure on the person's request (administrators only)."""

    reason = serializers.CharField(max_length=2000)
    request_reference = serializers.CharField(max_length=100)


class ContactErasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactErasure
        fields = [
            "id",
            "contact_id_erased",
            "customer",
            "erased_at",
            "erased_by",
            "reason",
            "request_reference",
            "counts",
        ]
        read_only_fields = fields


class VisitPlanSerializer(StrictMixin, serializers.ModelSerializer):
    """A planned visit (R-CUST-7); the customer is chosen on create only."""

    customer = serializers.PrimaryKeyRelatedField(read_only=True)
    contacts = ScopedPrimaryKeyRelatedField(queryset=Contact.objects.all(), many=True, required=False)
    participants = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), many=True, required=False
    )

    class Meta:
        model = VisitPlan
        fields = [
            "id",
            "version",
            "customer",
            "planned_at",
            "purpose",
            "contacts",
            "participants",
            "planner",
            "status",
            "outcome",
            "communication",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["planner", "status", "outcome", "communication", "created_at", "updated_at"]


class VisitPlanCreateSerializer(VisitPlanSerializer):
    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all())


class VisitDoneSerializer(StrictMixin, serializers.Serializer):
    outcome = serializers.CharField(max_length=5000)


class VisitCancelSerializer(StrictMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ContactCreateSerializer(ContactSerializer):
    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all())
    # R-CUST-8: a new contact names one of the lawful sources.
    source = serializers.ChoiceField(
        choices=LAWFUL_CONTACT_SOURCES, help_text=_("Where the person's details came from (R-CUST-8).")
    )


# --- leads ---------------------------------------------------------------------------------


class LeadSerializer(StrictMixin, MaskedContactMixin, PlausibleDatesMixin, serializers.ModelSerializer):
    """A lead (R-LEAD-1). Status, deadlines and decisions are read-only: they change through
    the actions (first contact, qualify, disqualify, merge)."""

    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False, allow_null=True)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False)
    # Declared for the schema: blank until the lead is disqualified.
    disqualify_reason = serializers.ChoiceField(
        choices=DisqualifyReason.choices, allow_blank=True, read_only=True
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=people.writers(), required=False, error_messages=OWNER_ERRORS
    )
    presales_owner = serializers.PrimaryKeyRelatedField(
        queryset=people.presales_people(), required=False, allow_null=True, error_messages=PRESALES_ERRORS
    )
    first_contact_state = serializers.ChoiceField(choices=FirstContactState.choices, read_only=True)
    contact_masked = serializers.SerializerMethodField(
        help_text=_("True when phone and email are masked for you (R-CUST-6).")
    )
    duplicate_override_by = UserReferenceField(read_only=True, allow_null=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            "version",
            "status",
            *LEAD_FIELDS,
            "contact_masked",
            "first_contact_due_at",
            "first_contacted_at",
            "first_contact_state",
            "eval_background",
            "eval_needs",
            "eval_budget",
            "eval_competition",
            "eval_timeline",
            "disqualify_reason",
            "disqualify_note",
            "decided_at",
            "merged_into",
            "duplicate_override_reason",
            "duplicate_override_by",
            "duplicate_override_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "first_contact_due_at",
            "first_contacted_at",
            "eval_background",
            "eval_needs",
            "eval_budget",
            "eval_competition",
            "eval_timeline",
            "disqualify_reason",
            "disqualify_note",
            "decided_at",
            "merged_into",
            "duplicate_override_reason",
            "duplicate_override_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "received_at": {
                "required": False,
                "help_text": _(
                    "When the lead reached us; at intake only (now by default, at most a year back). "
                    "The first-contact limit counts from it; it cannot be changed afterwards (R-LEAD-3)."
                ),
            }
        }


class DuplicateOverrideMixin(serializers.Serializer):
    """R-LEAD-2: keep a record that matches existing ones, saying why."""

    allow_duplicate = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text=_(
            "Keep the lead although it looks like an existing record (R-LEAD-2); "
            "needs duplicate_override_reason."
        ),
    )
    duplicate_override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=OVERRIDE_REASON_MAX,
        help_text=_(
            "Why the lead is kept although it matches existing records; required with allow_duplicate."
        ),
    )


class LeadCreateSerializer(DuplicateOverrideMixin, LeadSerializer):
    class Meta(LeadSerializer.Meta):
        fields = [*LeadSerializer.Meta.fields, "allow_duplicate"]


class LeadUpdateSerializer(DuplicateOverrideMixin, LeadSerializer):
    class Meta(LeadSerializer.Meta):
        fields = [*LeadSerializer.Meta.fields, "allow_duplicate"]


class EvaluationSerializer(StrictMixin, serializers.Serializer):
    """R-LEAD-4: feasibility and potential value on five aspects (completeness is the gate's)."""

    background = serializers.CharField(required=False, allow_blank=True, default="")
    needs = serializers.CharField(required=False, allow_blank=True, default="")
    budget = serializers.CharField(required=False, allow_blank=True, default="")
    competition = serializers.CharField(required=False, allow_blank=True, default="")
    timeline = serializers.CharField(required=False, allow_blank=True, default="")


class LeadQualifySerializer(StrictMixin, serializers.Serializer):
    evaluation = EvaluationSerializer()
    customer = ScopedPrimaryKeyRelatedField(
        queryset=Customer.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Existing customer to link; by default matched by company name or created."),
    )
    # R-OPP-1: the opportunity the lead becomes; the competition and timeline assessments
    # are also kept, as text, in its description.
    title = serializers.CharField(
        required=False,
        max_length=200,
        help_text=_(
            "The opportunity's title; by default the company and the first line of the initial needs."
        ),
    )
    expected_close = serializers.DateField(required=False, allow_null=True, default=None)
    competitors = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        default=list,
        help_text=_("The competing vendors' names."),
    )

    OPPORTUNITY_KEYS = ("title", "expected_close", "competitors")


class LeadDisqualifySerializer(StrictMixin, serializers.Serializer):
    # Blank is accepted here: a missing reason is the gate's refusal (409 with reasons).
    reason = serializers.ChoiceField(
        choices=DisqualifyReason.choices, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class LeadMergeSerializer(StrictMixin, serializers.Serializer):
    target = ScopedPrimaryKeyRelatedField(queryset=Lead.objects.all(), help_text=_("The surviving lead."))


class DuplicateQuerySerializer(serializers.Serializer):
    company_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")


class DuplicateLeadSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        allow_null=True, help_text=_("Null when the match is not yours to see (R-CUST-6).")
    )
    company_name = serializers.CharField(help_text=_("Empty when the match is not yours to see."))
    status = serializers.CharField(help_text=_("Empty when the match is not yours to see."))
    team = serializers.CharField()
    visible = serializers.BooleanField()


class DuplicateCustomerSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        allow_null=True, help_text=_("Null when the match is not yours to see (R-CUST-6).")
    )
    name = serializers.CharField(help_text=_("Empty when the match is not yours to see."))
    team = serializers.CharField()
    visible = serializers.BooleanField()


class DuplicatesSerializer(serializers.Serializer):
    leads = DuplicateLeadSerializer(many=True)
    customers = DuplicateCustomerSerializer(many=True)


# --- communications ------------------------------------------------------------------------


class CommunicationSerializer(StrictMixin, PlausibleDatesMixin, serializers.ModelSerializer):
    """An interaction (R-COMM-1). Customer and lead are chosen on create only."""

    # allow_null for the schema: a record is about a customer, a lead, or both.
    customer = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    lead = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    contact = ScopedPrimaryKeyRelatedField(queryset=Contact.objects.all(), required=False, allow_null=True)
    # R-COMM-2: the people who took part; contacts must be the record's customer's (service).
    participant_users = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), many=True, required=False
    )
    participant_contacts = ScopedPrimaryKeyRelatedField(
        queryset=Contact.objects.all(), many=True, required=False
    )

    class Meta:
        model = CommunicationRecord
        fields = [
            "id",
            "version",
            "customer",
            "lead",
            *COMMUNICATION_FIELDS,
            *PARTICIPANT_FIELDS,
            "is_first_contact",
            "entered_late",
            "author",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["is_first_contact", "entered_late", "author", "created_at", "updated_at"]
        extra_kwargs = {"occurred_at": {"required": False}}


class CommunicationCreateSerializer(CommunicationSerializer):
    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False, allow_null=True)
    lead = ScopedPrimaryKeyRelatedField(queryset=Lead.objects.all(), required=False, allow_null=True)


class FirstContactSerializer(StrictMixin, PlausibleDatesMixin, serializers.ModelSerializer):
    """R-LEAD-3: the first-contact record, plus corrections of the lead's contact facts."""

    contact = ScopedPrimaryKeyRelatedField(queryset=Contact.objects.all(), required=False, allow_null=True)
    company_name = serializers.CharField(max_length=200, required=False)
    contact_name = serializers.CharField(max_length=100, required=False)
    contact_title = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    initial_needs = serializers.CharField(required=False, allow_blank=True)

    class Meta:
        model = CommunicationRecord
        fields = [*COMMUNICATION_FIELDS, *LEAD_CONTACT_FIELDS]
        extra_kwargs = {"occurred_at": {"required": False}}
