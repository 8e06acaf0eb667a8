"""Serializers of the solutions API (R-SOL-1..6, R-QUOTE-1). Status and frozen facts are
read-only: they change through the version's actions (submit, withdraw, present ...)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from leads.models import Contact
from opportunities.models import Opportunity, opportunity_visibility_q
from presales.accounts.models import User
from presales.api.fields import PlausibleDateTimeField, ScopedPrimaryKeyRelatedField
from presales.api.serializers import StrictMixin
from proposals.models import (
    Acceptance,
    Feedback,
    QuoteLine,
    Requirement,
    Solution,
    SolutionAnswer,
    SolutionSection,
    SolutionTemplate,
    SolutionVersion,
)
from proposals.solutions.choices import AcceptanceMethod, SectionKind
from proposals.solutions.money import line_amounts, totals


class AmountsSerializer(serializers.Serializer):
    cost = serializers.DecimalField(max_digits=18, decimal_places=2)
    price_excl_tax = serializers.DecimalField(max_digits=18, decimal_places=2, source="price_excl")
    tax = serializers.DecimalField(max_digits=18, decimal_places=2)
    price_incl_tax = serializers.DecimalField(max_digits=18, decimal_places=2, source="price_incl")
    margin = serializers.DecimalField(max_digits=18, decimal_places=2)
    margin_percent = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)


class SolutionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Solution
        fields = ["id", "opportunity", "title", "created_by", "created_at", "version"]
        read_only_fields = fields


class SolutionCreateSerializer(StrictMixin, serializers.Serializer):
    opportunity = ScopedPrimaryKeyRelatedField(queryset=Opportunity.objects.all())
    title = serializers.CharField(max_length=200)
    template = serializers.PrimaryKeyRelatedField(
        queryset=SolutionTemplate.objects.filter(is_active=True), required=False, allow_null=True
    )


class VersionSerializer(serializers.ModelSerializer):
    """A version with its quote totals (in its currency) and the rigid requirements it does
    not answer yet (they block submission)."""

    opportunity = serializers.IntegerField(source="solution.opportunity_id", read_only=True)
    totals = serializers.SerializerMethodField()
    unanswered_requirements = serializers.SerializerMethodField()
    needs_revision = serializers.BooleanField(
        read_only=True,
        help_text="R-NEED-6: a requirement was added or changed after the customer's confirmation "
        "since this version was submitted (a draft: started); it was built on the old text.",
    )
    changed_requirements = serializers.ListField(
        source="changed_requirement_codes",
        child=serializers.CharField(),
        read_only=True,
        help_text="The codes (REQ-001) of the requirements changed since this version was written.",
    )

    class Meta:
        model = SolutionVersion
        fields = [
            "id",
            "solution",
            "opportunity",
            "number",
            "status",
            "author",
            "submitted_at",
            "decided_at",
            "presented_at",
            "currency",
            "fx_rate_to_cny",
            "fx_rate_date",
            "copied_from",
            "totals",
            "unanswered_requirements",
            "needs_revision",
            "changed_requirements",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(AmountsSerializer)
    def get_totals(self, version: SolutionVersion) -> dict[str, Any]:
        return dict(AmountsSerializer(totals(version.quote_lines.all())).data)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_unanswered_requirements(self, version: SolutionVersion) -> list[str]:
        answered = {a.requirement_id for a in version.answers.all()}
        rigid = getattr(version.solution.opportunity, "rigid_requirements", None)
        if rigid is None:
            rigid = Requirement.objects.filter(opportunity_id=version.solution.opportunity_id, kind="rigid")
        return [r.code for r in rigid if r.pk not in answered]


class SectionSerializer(StrictMixin, serializers.ModelSerializer):
    solution_version = ScopedPrimaryKeyRelatedField(queryset=SolutionVersion.objects.all())
    writer = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    kind = serializers.ChoiceField(choices=SectionKind.choices)

    class Meta:
        model = SolutionSection
        fields = [
            "id",
            "solution_version",
            "kind",
            "position",
            "body_html",
            "writer",
            "due_date",
            "done_at",
            "version",
        ]
        read_only_fields = ["id", "done_at", "version"]


class SectionUpdateSerializer(SectionSerializer):
    class Meta(SectionSerializer.Meta):
        read_only_fields = ["id", "done_at", "version", "solution_version", "kind"]


class QuoteLineSerializer(StrictMixin, serializers.ModelSerializer):
    solution_version = ScopedPrimaryKeyRelatedField(queryset=SolutionVersion.objects.all())
    amounts = serializers.SerializerMethodField()

    class Meta:
        model = QuoteLine
        fields = [
            "id",
            "solution_version",
            "position",
            "kind",
            "item",
            "specification",
            "quantity",
            "unit",
            "unit_cost",
            "unit_price",
            "tax_rate",
            "tax_inclusive",
            "amounts",
            "version",
        ]
        read_only_fields = ["id", "amounts", "version"]
        extra_kwargs = {"position": {"required": False}}

    @extend_schema_field(AmountsSerializer)
    def get_amounts(self, line: QuoteLine) -> dict[str, Any]:
        return dict(AmountsSerializer(line_amounts(line)).data)


class QuoteLineUpdateSerializer(QuoteLineSerializer):
    class Meta(QuoteLineSerializer.Meta):
        read_only_fields = ["id", "amounts", "version", "solution_version"]


class VisibleRequirementField(serializers.PrimaryKeyRelatedField):
    """A requirement of an opportunity the caller sees; any other id reads as missing."""

    def get_queryset(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return Requirement.objects.none()
        return Requirement.objects.filter(opportunity_visibility_q(user, prefix="opportunity__"))


class AnswerSerializer(StrictMixin, serializers.ModelSerializer):
    solution_version = ScopedPrimaryKeyRelatedField(queryset=SolutionVersion.objects.all())
    requirement = VisibleRequirementField()
    section = ScopedPrimaryKeyRelatedField(
        queryset=SolutionSection.objects.all(), required=False, allow_null=True
    )
    quote_line = ScopedPrimaryKeyRelatedField(
        queryset=QuoteLine.objects.all(), required=False, allow_null=True
    )
    requirement_code = serializers.CharField(source="requirement.code", read_only=True)

    class Meta:
        model = SolutionAnswer
        fields = [
            "id",
            "solution_version",
            "requirement",
            "requirement_code",
            "section",
            "quote_line",
            "note",
        ]
        read_only_fields = ["id", "requirement_code"]
        # The service checks one target and the database its uniqueness (a duplicate is a
        # 400 on ``requirement``); DRF's generated validators would demand both targets.
        validators: list = []


class ReasonSerializer(StrictMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=1000, allow_blank=True, required=False, default="")


class AcceptanceSerializer(StrictMixin, serializers.ModelSerializer):
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(), required=False, allow_null=True
    )
    method = serializers.ChoiceField(choices=AcceptanceMethod.choices)
    accepted_at = PlausibleDateTimeField()

    class Meta:
        model = Acceptance
        fields = [
            "id",
            "opportunity",
            "solution_version",
            "contact",
            "contact_name",
            "method",
            "accepted_at",
            "note",
            "recorded_by",
            "superseded_at",
        ]
        read_only_fields = ["id", "opportunity", "solution_version", "recorded_by", "superseded_at"]


class FeedbackSerializer(StrictMixin, serializers.ModelSerializer):
    received_at = PlausibleDateTimeField(required=False)

    class Meta:
        model = Feedback
        fields = ["id", "solution_version", "received_at", "contact_name", "content", "recorded_by"]
        read_only_fields = ["id", "solution_version", "recorded_by"]


class CustomerCopyLineSerializer(serializers.Serializer):
    kind = serializers.CharField()
    item = serializers.CharField()
    specification = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2)
    unit = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=16, decimal_places=2)
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    tax_inclusive = serializers.BooleanField()
    price_excl_tax = serializers.DecimalField(max_digits=18, decimal_places=2)
    tax = serializers.DecimalField(max_digits=18, decimal_places=2)
    price_incl_tax = serializers.DecimalField(max_digits=18, decimal_places=2)


class CustomerCopySectionSerializer(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    body_html = serializers.CharField()


class CustomerCopyTotalsSerializer(serializers.Serializer):
    price_excl_tax = serializers.DecimalField(max_digits=18, decimal_places=2)
    tax = serializers.DecimalField(max_digits=18, decimal_places=2)
    price_incl_tax = serializers.DecimalField(max_digits=18, decimal_places=2)


class CustomerCopySerializer(serializers.Serializer):
    """R-SOL-5: what the customer receives; no cost, no margin."""

    solution = serializers.CharField()
    version = serializers.IntegerField()
    customer = serializers.CharField()
    currency = serializers.CharField()
    sections = CustomerCopySectionSerializer(many=True)
    quote_lines = CustomerCopyLineSerializer(many=True)
    totals = CustomerCopyTotalsSerializer()


class DiffSectionSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    status = serializers.ChoiceField(choices=["added", "removed", "changed", "same"])
    rows = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))


class DiffLineSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["added", "removed", "changed"])
    item = serializers.CharField()
    old = serializers.DictField(child=serializers.CharField(), allow_null=True)
    new = serializers.DictField(child=serializers.CharField(), allow_null=True)
    changed = serializers.ListField(child=serializers.CharField())


class DiffSerializer(serializers.Serializer):
    old = serializers.IntegerField()
    new = serializers.IntegerField()
    sections = DiffSectionSerializer(many=True)
    lines = DiffLineSerializer(many=True)


def decimal_str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
