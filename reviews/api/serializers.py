"""API representations of reviews and chains. Writes go through reviews/services.py."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from presales.accounts.models import User
from presales.api.serializers import StrictMixin
from presales.core.roles import Role
from reviews.choices import (
    SCORE_MAX,
    SCORE_MIN,
    ApproverScope,
    Decision,
    ReviewStatus,
    StepMode,
    TaskState,
)
from reviews.models import Review, ReviewChain, ReviewChainStep, ReviewTask
from reviews.registry import kind_choices
from reviews.selectors import review_form
from reviews.services import CHAIN_FIELDS, STEP_FIELDS


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name"]


class CheckItemSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=60)
    label = serializers.CharField(max_length=200)


class CheckResultSerializer(StrictMixin, serializers.Serializer):
    """One check item's result (R-REV-2): ticked, or not ok with a comment."""

    ok = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ReviewTaskSerializer(serializers.ModelSerializer):
    approver = PersonSerializer(read_only=True, allow_null=True)
    check_items = CheckItemSerializer(many=True, read_only=True)
    checks = serializers.DictField(
        child=CheckResultSerializer(),
        read_only=True,
        help_text=_("The approver's result per check item code of the step (R-REV-2)."),
    )
    state = serializers.ChoiceField(choices=TaskState.choices, read_only=True)
    mode = serializers.ChoiceField(choices=StepMode.choices, read_only=True)

    class Meta:
        model = ReviewTask
        fields = [
            "id",
            "step_order",
            "step_name",
            "mode",
            "condition_min_amount",
            "condition_max_margin",
            "approver",
            "state",
            "opened_at",
            "decided_at",
            "comment",
            "scores",
            "check_items",
            "checks",
        ]
        read_only_fields = fields


class SubjectSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField()
    summary = serializers.CharField()
    url = serializers.CharField()


class CriterionSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class CriterionAverageSerializer(CriterionSerializer):
    average = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    count = serializers.IntegerField()


class ReviewSerializer(serializers.ModelSerializer):
    """A review as listed: subject, status, progress."""

    kind_label = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=ReviewStatus.choices, read_only=True)
    chain = serializers.PrimaryKeyRelatedField(read_only=True)
    chain_name = serializers.CharField(source="chain.name", read_only=True)
    subject = serializers.SerializerMethodField()
    author = PersonSerializer(read_only=True)
    started_by = PersonSerializer(read_only=True)
    team = serializers.PrimaryKeyRelatedField(read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True, default=None)
    steps_total = serializers.IntegerField(read_only=True)
    steps_done = serializers.IntegerField(read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "kind",
            "kind_label",
            "chain",
            "chain_name",
            "status",
            "subject",
            "amount",
            "original_amount",
            "currency",
            "fx_rate_to_cny",
            "fx_rate_date",
            "margin",
            "author",
            "started_by",
            "team",
            "team_name",
            "current_step_order",
            "steps_total",
            "steps_done",
            "started_at",
            "finished_at",
            "outcome_note",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(SubjectSerializer)
    def get_subject(self, obj: Review) -> dict:
        return {
            "type": obj.kind,
            "id": obj.object_id,
            "summary": obj.subject_summary,
            "url": obj.subject_url,
        }


class ReviewDetailSerializer(ReviewSerializer):
    """A review with its form (R-REV-6): every task, decision, score and the averages."""

    tasks = ReviewTaskSerializer(many=True, read_only=True)
    criteria = serializers.SerializerMethodField()
    score_averages = serializers.SerializerMethodField()

    class Meta(ReviewSerializer.Meta):
        fields = ReviewSerializer.Meta.fields + ["criteria", "score_averages", "tasks"]
        read_only_fields = fields

    @extend_schema_field(CriterionSerializer(many=True))
    def get_criteria(self, obj: Review) -> list[dict]:
        return [{"code": code, "label": label} for code, label in obj.criteria]

    @extend_schema_field(CriterionAverageSerializer(many=True))
    def get_score_averages(self, obj: Review) -> list[dict]:
        rows = [
            {"code": c.code, "label": c.label, "average": c.average, "count": c.count}
            for c in review_form(obj).criteria
        ]
        return CriterionAverageSerializer(rows, many=True).data


class DecideSerializer(StrictMixin, serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    scores = serializers.DictField(
        child=serializers.IntegerField(min_value=SCORE_MIN, max_value=SCORE_MAX),
        required=False,
        allow_null=True,
        help_text=_(
            "Score per criterion code, 1 to 5; required for approvals when the chain has criteria, "
            "and for rejections too when the chain says so (solution reviews, R-REV-2)."
        ),
    )
    checks = serializers.DictField(
        child=CheckResultSerializer(),
        required=False,
        allow_null=True,
        help_text=_(
            "Result per check item code of your step (R-REV-2): ticked (ok) or not ok with a "
            "comment. An approval needs every item of the step."
        ),
    )
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_("The review's version you decided on; a stale version is refused with 409."),
    )


class CancelSerializer(StrictMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


# --- chains ------------------------------------------------------------------------------


class CheckItemWriteSerializer(StrictMixin, CheckItemSerializer):
    """A step's check item as written: only ``code`` and ``label``."""


class ReviewChainStepSerializer(StrictMixin, serializers.ModelSerializer):
    approver_role = serializers.ChoiceField(
        choices=Role.choices, required=False, allow_blank=True, default=""
    )
    approver_user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )
    approver_scope = serializers.ChoiceField(choices=ApproverScope.choices, default=ApproverScope.TEAM)
    mode = serializers.ChoiceField(choices=StepMode.choices, default=StepMode.ALL)
    check_items = CheckItemWriteSerializer(many=True, required=False)

    class Meta:
        model = ReviewChainStep
        fields = ["id", *STEP_FIELDS]
        read_only_fields = ["id"]
        # Uniqueness of the order is checked by the service over the whole list.
        validators: list = []


class ScoreCriterionSerializer(StrictMixin, CriterionSerializer):
    """A chain's score criterion as written: only ``code`` and ``label``."""


class ReviewChainSerializer(StrictMixin, serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=[])
    kind_label = serializers.CharField(read_only=True)
    score_criteria = ScoreCriterionSerializer(many=True, required=False)
    steps = ReviewChainStepSerializer(many=True, required=False)

    class Meta:
        model = ReviewChain
        fields = ["id", "version", *CHAIN_FIELDS, "kind_label", "steps", "created_at", "updated_at"]
        read_only_fields = ["id", "version", "kind_label", "created_at", "updated_at"]
        # Uniqueness (one active chain per kind, names) is checked by the service.
        validators: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Registered kinds are known only once the apps are ready.
        self.fields["kind"].choices = kind_choices()

    def validate(self, attrs):
        if self.instance is None and not attrs.get("steps"):
            raise serializers.ValidationError({"steps": [_("A chain needs at least one step.")]})
        return attrs
