"""/api/v1/ of the needs analysis (R-NEED-1..7): requirements (CRUD, reorder, import,
recording a confirmation), SPIN notes, confirmation requests (send, revoke), R&D requests
(ask, answer) and needs reports. Every write calls the needs services; every queryset is the
opportunity's visibility through its foreign key (out of scope is 404, a referenced id out of
scope "does not exist")."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from knowledge.choices import ArticleKind
from knowledge.models import Article
from leads.models import CommunicationRecord, Contact
from opportunities.models import Opportunity
from presales.accounts.models import User
from presales.api.fields import PlausibleDatesMixin, PlausibleDateTimeField, ScopedPrimaryKeyRelatedField
from presales.api.permissions import CanWriteRecords, HasRole
from presales.api.schema import error_responses
from presales.api.serializers import StrictMixin
from presales.api.viewsets import (
    DETAIL_ERRORS,
    READ_ERRORS,
    ScopedModelViewSet,
    ScopedReadOnlyViewSet,
    ServiceCreateMixin,
    ServiceDestroyMixin,
    ServiceViewSet,
    crud_schema,
)
from presales.core.filters import ChoicesFilter
from proposals.choices import (
    ConfirmationMethod,
    ConfirmationStatus,
    Feasibility,
    RDRequestStatus,
    RequirementCategory,
    RequirementKind,
)
from proposals.models import (
    ConfirmationRequest,
    NeedsAnalysis,
    NeedsReport,
    OpportunityCommunication,
    RDRequest,
    Requirement,
    RequirementConfirmation,
)
from proposals.needs import imports, services

WRITE = (400, 401, 403, 404, 409)

# --- serializers -------------------------------------------------------------------------------


class RequirementConfirmationSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequirementConfirmation
        fields = ["id", "status", "confirmer_name", "contact", "method", "comment", "request", "at"]


class RequirementSerializer(StrictMixin, serializers.ModelSerializer):
    """A requirement (R-NEED-2) with its confirmation (R-NEED-3, written only by the
    confirmation actions) and, after a change once confirmed, ``changed_at`` (R-NEED-6)."""

    opportunity = ScopedPrimaryKeyRelatedField(queryset=Opportunity.objects.all())
    code = serializers.CharField(read_only=True)

    class Meta:
        model = Requirement
        fields = [
            "id",
            "opportunity",
            "number",
            "code",
            "position",
            *services.REQUIREMENT_FIELDS,
            "confirmation_status",
            "confirmed_by_name",
            "confirmed_contact",
            "confirmation_method",
            "confirmed_at",
            "confirmation_comment",
            "changed_at",
            "feasibility_review_due",
            "created_by",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = [
            "feasibility_review_due",
            "number",
            "position",
            "confirmation_status",
            "confirmed_by_name",
            "confirmed_contact",
            "confirmation_method",
            "confirmed_at",
            "confirmation_comment",
            "changed_at",
            "created_by",
            "created_at",
            "updated_at",
            "version",
        ]


class RequirementUpdateSerializer(RequirementSerializer):
    """The opportunity of a requirement does not change."""

    opportunity = serializers.PrimaryKeyRelatedField(read_only=True)


class ReorderSerializer(StrictMixin, serializers.Serializer):
    opportunity = ScopedPrimaryKeyRelatedField(queryset=Opportunity.objects.all())
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), max_length=2000
    )


class FromTemplateSerializer(StrictMixin, serializers.Serializer):
    """An industry needs template of the knowledge base (R-KB-1) to pre-fill the list from."""

    opportunity = ScopedPrimaryKeyRelatedField(queryset=Opportunity.objects.all())
    template = ScopedPrimaryKeyRelatedField(queryset=Article.objects.filter(kind=ArticleKind.NEEDS_TEMPLATE))


class ImportSerializer(StrictMixin, serializers.Serializer):
    """A file (multipart: .csv or .xlsx) or pasted tab-separated text, headings first."""

    opportunity = ScopedPrimaryKeyRelatedField(queryset=Opportunity.objects.all())
    file = serializers.FileField(required=False)
    text = serializers.CharField(required=False, max_length=500_000, trim_whitespace=False)

    def validate(self, attrs):
        if bool(attrs.get("file")) == bool(attrs.get("text")):
            raise serializers.ValidationError({"file": [_("Send a file or pasted text (one of them).")]})
        return attrs


class RecordConfirmationSerializer(StrictMixin, serializers.Serializer):
    """R-NEED-3: a confirmation received by e-mail or as a signed scan (multipart, with the
    evidence file)."""

    # The full choice sets (one enum each in the schema); the service accepts e-mail or scan,
    # confirmed or commented ("link" answers come from the customer's page only).
    method = serializers.ChoiceField(choices=ConfirmationMethod.choices)
    status = serializers.ChoiceField(choices=ConfirmationStatus.choices, default=ConfirmationStatus.CONFIRMED)
    confirmer_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(), required=False, allow_null=True
    )
    confirmed_at = PlausibleDateTimeField(required=False, allow_null=True)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    evidence = serializers.FileField()
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class NeedsAnalysisSerializer(StrictMixin, serializers.ModelSerializer):
    """The SPIN notes of an opportunity (R-NEED-1). POST writes them (creating the row on
    first use); PATCH/PUT with the version read."""

    opportunity = ScopedPrimaryKeyRelatedField(queryset=Opportunity.objects.all())

    class Meta:
        model = NeedsAnalysis
        fields = ["id", "opportunity", *services.SPIN_FIELDS, "updated_at", "version"]
        read_only_fields = ["updated_at", "version"]


class NeedsAnalysisUpdateSerializer(NeedsAnalysisSerializer):
    opportunity = serializers.PrimaryKeyRelatedField(read_only=True)


class ConfirmationRequestSerializer(StrictMixin, PlausibleDatesMixin, serializers.ModelSerializer):
    """A needs confirmation list sent to a customer contact. The link's token is mailed to
    the contact and never answered here."""

    opportunity = ScopedPrimaryKeyRelatedField(queryset=Opportunity.objects.all())
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.all())
    requirement_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), required=False, max_length=2000
    )
    days = serializers.IntegerField(
        write_only=True, required=False, min_value=1, max_value=services.MAX_CONFIRMATION_DAYS
    )
    state = serializers.SerializerMethodField()

    class Meta:
        model = ConfirmationRequest
        fields = [
            "id",
            "opportunity",
            "contact",
            "requirement_ids",
            "days",
            "expires_at",
            "revoked_at",
            "completed_at",
            "state",
            "sent_by",
            "created_at",
        ]
        read_only_fields = ["expires_at", "revoked_at", "completed_at", "sent_by", "created_at"]

    def get_state(self, obj: ConfirmationRequest) -> str:
        return obj.state(timezone.now())


class RDRequestSerializer(StrictMixin, serializers.ModelSerializer):
    """A question to R&D on a requirement that needs R&D (R-NEED-5), and its answer."""

    requirement = ScopedPrimaryKeyRelatedField(queryset=Requirement.objects.all())
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))

    class Meta:
        model = RDRequest
        fields = [
            "id",
            "requirement",
            "question",
            "asked_by",
            "assignee",
            "answer",
            "answered_by",
            "answered_at",
            "status",
            "created_at",
        ]
        read_only_fields = ["asked_by", "answer", "answered_by", "answered_at", "status", "created_at"]


class RDAnswerSerializer(StrictMixin, serializers.Serializer):
    answer = serializers.CharField(max_length=5000)


class NeedsReportSerializer(StrictMixin, serializers.ModelSerializer):
    """A version of the needs report (R-NEED-7): the snapshot is written by the service."""

    opportunity = ScopedPrimaryKeyRelatedField(queryset=Opportunity.objects.all())

    class Meta:
        model = NeedsReport
        fields = ["id", "opportunity", "number", "content", "created_by", "created_at"]
        read_only_fields = ["number", "content", "created_by", "created_at"]


class OpportunityCommunicationSerializer(StrictMixin, serializers.ModelSerializer):
    """A meeting, site visit or survey of the customer linked to the opportunity (R-NEED-1);
    its participants are the communication record's (R-COMM-2)."""

    opportunity = ScopedPrimaryKeyRelatedField(queryset=Opportunity.objects.all())
    communication = ScopedPrimaryKeyRelatedField(queryset=CommunicationRecord.objects.all())
    participant_users = serializers.SerializerMethodField()
    participant_contacts = serializers.SerializerMethodField()

    class Meta:
        model = OpportunityCommunication
        fields = [
            "id",
            "opportunity",
            "communication",
            "purpose",
            "participant_users",
            "participant_contacts",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["created_by", "created_at"]

    def get_participant_users(self, obj: OpportunityCommunication) -> list[int]:
        return [u.pk for u in obj.communication.participant_users.all()]

    def get_participant_contacts(self, obj: OpportunityCommunication) -> list[int]:
        return [c.pk for c in obj.communication.participant_contacts.all()]


# --- filters -----------------------------------------------------------------------------------


class RequirementFilterSet(django_filters.FilterSet):
    opportunity = django_filters.NumberFilter(field_name="opportunity_id")
    kind = ChoicesFilter(choices=RequirementKind.choices)
    category = ChoicesFilter(choices=RequirementCategory.choices)
    feasibility = ChoicesFilter(choices=Feasibility.choices)
    confirmation_status = ChoicesFilter(choices=ConfirmationStatus.choices)

    class Meta:
        model = Requirement
        fields = ["opportunity", "kind", "category", "feasibility", "confirmation_status"]


class OpportunityFilterSet(django_filters.FilterSet):
    opportunity = django_filters.NumberFilter(field_name="opportunity_id")


class NeedsAnalysisFilterSet(OpportunityFilterSet):
    class Meta:
        model = NeedsAnalysis
        fields = ["opportunity"]


class ConfirmationRequestFilterSet(OpportunityFilterSet):
    class Meta:
        model = ConfirmationRequest
        fields = ["opportunity"]


class OpportunityCommunicationFilterSet(OpportunityFilterSet):
    class Meta:
        model = OpportunityCommunication
        fields = ["opportunity"]


class NeedsReportFilterSet(OpportunityFilterSet):
    class Meta:
        model = NeedsReport
        fields = ["opportunity"]


class RDRequestFilterSet(django_filters.FilterSet):
    opportunity = django_filters.NumberFilter(field_name="requirement__opportunity_id")
    requirement = django_filters.NumberFilter(field_name="requirement_id")
    assignee = django_filters.NumberFilter(field_name="assignee_id")
    status = ChoicesFilter(choices=RDRequestStatus.choices)

    class Meta:
        model = RDRequest
        fields = ["opportunity", "requirement", "assignee", "status"]


# --- viewsets ----------------------------------------------------------------------------------


def _ok(serializer, *codes: int) -> dict:
    return {200: serializer, **error_responses(*codes)}


@crud_schema("requirement", RequirementSerializer, update=RequirementUpdateSerializer, destroy=True)
class RequirementViewSet(ScopedModelViewSet):
    queryset = Requirement.objects.select_related("opportunity")
    serializer_class = RequirementSerializer
    update_serializer_class = RequirementUpdateSerializer
    filterset_class = RequirementFilterSet
    ordering_fields = ["position", "updated_at", "created_at"]
    ordering = ["opportunity", "position", "number"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def service_create(self, data: dict) -> Requirement:
        opportunity = data.pop("opportunity")
        return services.requirement_create(actor=self.request.user, opportunity=opportunity, data=data)

    def service_update(self, instance, data: dict, *, expected_version: int | None) -> Requirement:
        return services.requirement_update(
            actor=self.request.user, requirement=instance, data=data, expected_version=expected_version
        )

    def service_destroy(self, instance) -> None:
        services.requirement_delete(actor=self.request.user, requirement=instance)

    @extend_schema(
        filters=False,
        request=ReorderSerializer,
        responses={200: RequirementSerializer(many=True), **error_responses(*WRITE)},
        description="Set the order of an opportunity's requirements: ``ids`` lists every one once.",
    )
    @action(detail=False, methods=["post"], pagination_class=None)
    def reorder(self, request):
        data = self.validated(ReorderSerializer)
        rows = services.requirements_reorder(
            actor=request.user, opportunity=data["opportunity"], ids=data["ids"]
        )
        return Response(RequirementSerializer(rows, many=True, context=self.get_serializer_context()).data)

    @extend_schema(
        filters=False,
        request=FromTemplateSerializer,
        responses={201: RequirementSerializer(many=True), **error_responses(*WRITE)},
    )
    @action(detail=False, methods=["post"], url_path="from-template", pagination_class=None)
    def from_template(self, request):
        """R-KB-1: add the items of an industry needs template as requirements (all or none)."""
        data = self.validated(FromTemplateSerializer)
        created = services.requirements_from_template(
            actor=request.user, opportunity=data["opportunity"], template=data["template"]
        )
        return Response(
            RequirementSerializer(created, many=True, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        filters=False,
        request={"multipart/form-data": ImportSerializer, "application/json": ImportSerializer},
        responses={201: RequirementSerializer(many=True), **error_responses(*WRITE)},
        description=(
            "Import requirements from a .csv/.xlsx file or pasted tab-separated text (headings "
            "first; English codes or Chinese labels). All rows or none: invalid rows answer 400 "
            'code "invalid_rows" with fields "row <n>".'
        ),
    )
    @action(detail=False, methods=["post"], url_path="import", pagination_class=None)
    def import_rows(self, request):
        data = self.validated(ImportSerializer)
        if data.get("file"):
            upload = data["file"]
            table = imports.read_file(upload.name, upload.read())
        else:
            table = imports.read_paste(data["text"])
        created = imports.import_table(actor=request.user, opportunity=data["opportunity"], table=table)
        return Response(
            RequirementSerializer(created, many=True, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        filters=False,
        request={"multipart/form-data": RecordConfirmationSerializer},
        responses={201: RequirementConfirmationSerializer, **error_responses(*WRITE)},
        description="Record the customer's confirmation received by e-mail or as a signed scan (R-NEED-3).",
    )
    @action(detail=True, methods=["post"], pagination_class=None)
    def confirm(self, request, pk=None):
        requirement = self.get_object()
        data = self.validated(RecordConfirmationSerializer)
        row = services.requirement_confirmation_record(
            actor=request.user,
            requirement=requirement,
            method=data["method"],
            status=data["status"],
            confirmer_name=data.get("confirmer_name", ""),
            contact=data.get("contact"),
            confirmed_at=data.get("confirmed_at"),
            comment=data.get("comment", ""),
            evidence=data["evidence"],
            expected_version=data.get("version"),
        )
        return Response(RequirementConfirmationSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(filters=False, responses=_ok(RequirementConfirmationSerializer(many=True), *DETAIL_ERRORS))
    @action(detail=True, methods=["get"], pagination_class=None)
    def confirmations(self, request, pk=None):
        """Every confirmation of the requirement, newest first (the history)."""
        requirement = self.get_object()
        rows = requirement.confirmations.order_by("-at", "-id")[:200]
        return Response(RequirementConfirmationSerializer(rows, many=True).data)


@crud_schema("needs analysis", NeedsAnalysisSerializer, update=NeedsAnalysisUpdateSerializer)
class NeedsAnalysisViewSet(ServiceViewSet):
    """The SPIN notes (R-NEED-1), one row per opportunity; POST writes an opportunity's notes."""

    queryset = NeedsAnalysis.objects.all()
    serializer_class = NeedsAnalysisSerializer
    update_serializer_class = NeedsAnalysisUpdateSerializer
    filterset_class = NeedsAnalysisFilterSet
    ordering_fields = ["updated_at"]
    ordering = ["-updated_at", "-id"]

    def service_create(self, data: dict) -> NeedsAnalysis:
        opportunity = data.pop("opportunity")
        return services.spin_notes_save(actor=self.request.user, opportunity=opportunity, data=data)

    def service_update(self, instance, data: dict, *, expected_version: int | None) -> NeedsAnalysis:
        return services.spin_notes_save(
            actor=self.request.user,
            opportunity=instance.opportunity,
            data=data,
            expected_version=expected_version,
        )


@extend_schema_view(
    list=extend_schema(responses=_ok(ConfirmationRequestSerializer(many=True), 400, *READ_ERRORS)),
    retrieve=extend_schema(responses=_ok(ConfirmationRequestSerializer, *DETAIL_ERRORS)),
    create=extend_schema(
        request=ConfirmationRequestSerializer,
        responses={201: ConfirmationRequestSerializer, **error_responses(400, 401, 403, 409)},
        description="Send the needs confirmation list to a contact of the customer (the link is mailed).",
    ),
)
class ConfirmationRequestViewSet(ServiceCreateMixin, ScopedReadOnlyViewSet):
    queryset = ConfirmationRequest.objects.all()
    serializer_class = ConfirmationRequestSerializer
    filterset_class = ConfirmationRequestFilterSet
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]

    permission_classes = [CanWriteRecords]

    def service_create(self, data: dict) -> ConfirmationRequest:
        request, _token = services.confirmation_request_create(
            actor=self.request.user,
            opportunity=data["opportunity"],
            contact=data["contact"],
            requirement_ids=data.get("requirement_ids"),
            days=data.get("days", services.CONFIRMATION_DAYS),
        )
        return request

    @extend_schema(filters=False, request=None, responses=_ok(ConfirmationRequestSerializer, *WRITE))
    @action(detail=True, methods=["post"], pagination_class=None)
    def revoke(self, request, pk=None):
        """Revoke the link: it opens nothing any more."""
        revoked = services.confirmation_request_revoke(actor=request.user, request=self.get_object())
        return self.represent(revoked)


@extend_schema_view(
    list=extend_schema(responses=_ok(RDRequestSerializer(many=True), 400, *READ_ERRORS)),
    retrieve=extend_schema(responses=_ok(RDRequestSerializer, *DETAIL_ERRORS)),
    create=extend_schema(
        request=RDRequestSerializer,
        responses={201: RDRequestSerializer, **error_responses(400, 401, 403, 409)},
    ),
)
class RDRequestViewSet(ServiceCreateMixin, ScopedReadOnlyViewSet):
    """R&D requests (R-NEED-5): seen by who sees the opportunity, and by the person asked."""

    queryset = RDRequest.objects.select_related("requirement")
    serializer_class = RDRequestSerializer
    filterset_class = RDRequestFilterSet
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]

    def get_permissions(self):
        return [HasRole()] if self.action == "answer" else [CanWriteRecords()]

    def get_queryset(self):
        user = self.request.user
        visible = RDRequest.objects.visible_to(user).values("pk")
        return self.queryset.filter(pk__in=visible) | self.queryset.filter(assignee_id=user.pk)

    def service_create(self, data: dict) -> RDRequest:
        return services.rd_request_create(
            actor=self.request.user,
            requirement=data["requirement"],
            question=data["question"],
            assignee=data["assignee"],
        )

    @extend_schema(filters=False, request=RDAnswerSerializer, responses=_ok(RDRequestSerializer, *WRITE))
    @action(detail=True, methods=["post"], pagination_class=None)
    def answer(self, request, pk=None):
        data = self.validated(RDAnswerSerializer)
        rd = services.rd_request_answer(
            actor=request.user, rd_request=self.get_object(), answer=data["answer"]
        )
        return self.represent(rd)


@extend_schema_view(
    list=extend_schema(responses=_ok(NeedsReportSerializer(many=True), 400, *READ_ERRORS)),
    retrieve=extend_schema(responses=_ok(NeedsReportSerializer, *DETAIL_ERRORS)),
    create=extend_schema(
        request=NeedsReportSerializer,
        responses={201: NeedsReportSerializer, **error_responses(400, 401, 403, 409)},
        description="Freeze the SPIN notes and requirements as the next version of the needs report (R-NEED-7).",
    ),
)
class NeedsReportViewSet(ServiceCreateMixin, ScopedReadOnlyViewSet):
    queryset = NeedsReport.objects.select_related("created_by")
    serializer_class = NeedsReportSerializer
    filterset_class = NeedsReportFilterSet
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]

    permission_classes = [CanWriteRecords]

    def service_create(self, data: dict) -> NeedsReport:
        return services.needs_report_create(actor=self.request.user, opportunity=data["opportunity"])


@extend_schema_view(
    list=extend_schema(responses=_ok(OpportunityCommunicationSerializer(many=True), 400, *READ_ERRORS)),
    retrieve=extend_schema(responses=_ok(OpportunityCommunicationSerializer, *DETAIL_ERRORS)),
    create=extend_schema(
        request=OpportunityCommunicationSerializer,
        responses={201: OpportunityCommunicationSerializer, **error_responses(400, 401, 403, 409)},
        description="Link a communication record of the customer to the opportunity's needs (R-NEED-1).",
    ),
    destroy=extend_schema(responses={204: None, **error_responses(*WRITE)}),
)
class OpportunityCommunicationViewSet(ServiceCreateMixin, ServiceDestroyMixin, ScopedReadOnlyViewSet):
    queryset = OpportunityCommunication.objects.select_related("communication").prefetch_related(
        "communication__participant_users", "communication__participant_contacts"
    )
    serializer_class = OpportunityCommunicationSerializer
    filterset_class = OpportunityCommunicationFilterSet
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]
    permission_classes = [CanWriteRecords]

    def service_create(self, data: dict) -> OpportunityCommunication:
        return services.communication_link(
            actor=self.request.user,
            opportunity=data["opportunity"],
            communication=data["communication"],
            purpose=data["purpose"],
        )

    def service_destroy(self, instance) -> None:
        services.communication_unlink(actor=self.request.user, link=instance)
