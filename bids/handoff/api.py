"""/api/v1/handoffs/, /api/v1/acceptances/, /api/v1/rectifications/ (R-HAND-1..3).

Handoffs are read-only records (the package is frozen at signing); they change only through
``acknowledge``, ``inform`` and ``route``, which check who may inside the services (a user
outside the receiving team cannot acknowledge, whatever the route: PUT/PATCH are not
offered). Acceptances are created (multipart, with the signed scan) and listed; a ``receive``
records the goods' receipt. Rectifications are listed and closed. Querysets are scoped (a
handoff the caller does not see is 404); every write calls the services."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from bids.handoff import services
from bids.handoff.choices import AcceptanceKind, AcceptanceResult
from bids.models import CustomerAcceptance, Handoff, Rectification
from leads.models import Contact
from presales.accounts.models import Team, User
from presales.api.schema import error_responses
from presales.api.serializers import StrictMixin
from presales.api.viewsets import CHANGE_ERRORS, ScopedReadOnlyViewSet

HANDOFF_FIELDS = [
    "id",
    "opportunity",
    "contract",
    "status",
    "package",
    "receiving_team",
    "acknowledged_by",
    "acknowledged_at",
    "acknowledgment_note",
    "after_sales_owner",
    "customer_informed_at",
    "informed_contact",
    "informed_contact_name",
    "guide_version",
    "version",
    "created_at",
]


class HandoffSerializer(serializers.ModelSerializer):
    """A handoff with its frozen package (R-HAND-1) and acknowledgment (R-HAND-2)."""

    class Meta:
        model = Handoff
        fields = HANDOFF_FIELDS
        read_only_fields = HANDOFF_FIELDS


class AcknowledgeSerializer(StrictMixin, serializers.Serializer):
    after_sales_owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    note = serializers.CharField(required=False, allow_blank=True)


class InformSerializer(StrictMixin, serializers.Serializer):
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(), required=False, allow_null=True
    )
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    language = serializers.ChoiceField(choices=User.Language.choices)


class RouteSerializer(StrictMixin, serializers.Serializer):
    receiving_team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())


class RectificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rectification
        fields = [
            "id",
            "acceptance",
            "status",
            "items",
            "owner",
            "due_at",
            "closed_at",
            "closed_by",
            "close_note",
            "version",
            "created_at",
        ]
        read_only_fields = fields


class CustomerAcceptanceSerializer(serializers.ModelSerializer):
    """An acceptance (R-HAND-3); its scan is a logged download for who sees the handoff,
    never a media URL."""

    signed_scan = serializers.SerializerMethodField()
    rectification = serializers.SerializerMethodField()

    class Meta:
        model = CustomerAcceptance
        fields = [
            "id",
            "handoff",
            "kind",
            "result",
            "received_on",
            "accepted_on",
            "notes",
            "signed_scan",
            "recorded_by",
            "decided_at",
            "rectification",
            "version",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_signed_scan(self, acceptance: CustomerAcceptance) -> str | None:
        if not acceptance.signed_scan:
            return None
        return reverse("bids:acceptance-scan", args=[acceptance.pk])

    @extend_schema_field(OpenApiTypes.INT)
    def get_rectification(self, acceptance: CustomerAcceptance) -> int | None:
        rectification = getattr(acceptance, "rectification", None)
        return rectification.pk if rectification is not None else None


class AcceptanceCreateSerializer(StrictMixin, serializers.Serializer):
    """Record an acceptance: ``result`` passed/failed with its date and scan; for a product
    with ``result`` left out, only the goods' receipt (``received_on``) is recorded."""

    handoff = serializers.PrimaryKeyRelatedField(queryset=Handoff.objects.all())
    kind = serializers.ChoiceField(choices=AcceptanceKind.choices)
    result = serializers.ChoiceField(
        choices=[AcceptanceResult.PASSED, AcceptanceResult.FAILED], required=False
    )
    accepted_on = serializers.DateField(required=False)
    received_on = serializers.DateField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    items = serializers.CharField(required=False, allow_blank=True)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False)
    signed_scan = serializers.FileField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            field = self.fields["handoff"]
            field.queryset = Handoff.objects.visible_to(request.user)  # type: ignore[attr-defined]


class CloseSerializer(StrictMixin, serializers.Serializer):
    note = serializers.CharField()


class HandoffViewSet(ScopedReadOnlyViewSet):
    """Handoffs the caller sees: those of the opportunities they see, and their receiving
    team's (R-HAND-1, R-HAND-2)."""

    queryset = Handoff.objects.select_related("opportunity", "contract")
    serializer_class = HandoffSerializer
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    @extend_schema(
        request=AcknowledgeSerializer, responses={200: HandoffSerializer, **error_responses(*CHANGE_ERRORS)}
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """The receiving team acknowledges and names the after-sales owner (R-HAND-2)."""
        data = self.validated(AcknowledgeSerializer)
        handoff = services.handoff_acknowledge(
            actor=request.user,
            handoff=self.get_object(),
            after_sales_owner=data["after_sales_owner"],
            note=data.get("note", ""),
        )
        return self.represent(handoff)

    @extend_schema(
        request=InformSerializer, responses={200: HandoffSerializer, **error_responses(*CHANGE_ERRORS)}
    )
    @action(detail=True, methods=["post"])
    def inform(self, request, pk=None):
        """The customer was told the after-sales owner, with the service guide (R-HAND-2)."""
        data = self.validated(InformSerializer)
        handoff = services.handoff_inform_customer(
            actor=request.user,
            handoff=self.get_object(),
            contact=data.get("contact"),
            contact_name=data.get("contact_name", ""),
            language=data["language"],
        )
        return self.represent(handoff)

    @extend_schema(
        request=RouteSerializer, responses={200: HandoffSerializer, **error_responses(*CHANGE_ERRORS)}
    )
    @action(detail=True, methods=["post"])
    def route(self, request, pk=None):
        """Send a handoff not acknowledged yet to another receiving team."""
        data = self.validated(RouteSerializer)
        handoff = services.handoff_route(
            actor=request.user, handoff=self.get_object(), team=data["receiving_team"]
        )
        return self.represent(handoff)


class AcceptanceViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Acceptances of the handoffs the caller sees (R-HAND-3)."""

    queryset = CustomerAcceptance.objects.select_related("rectification")
    serializer_class = CustomerAcceptanceSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    @extend_schema(
        request={"multipart/form-data": AcceptanceCreateSerializer},
        responses={201: CustomerAcceptanceSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def create(self, request, *args, **kwargs):
        data = self.validated(AcceptanceCreateSerializer)
        handoff = data.pop("handoff")
        kind = data.pop("kind")
        scan = data.pop("signed_scan", None)
        if "result" not in data and kind == AcceptanceKind.PRODUCT and set(data) <= {"received_on"}:
            acceptance = services.acceptance_receive(
                actor=request.user, handoff=handoff, received_on=data.get("received_on")
            )
        else:
            acceptance = services.acceptance_record(
                actor=request.user, handoff=handoff, kind=kind, data=data, scan=scan
            )
        return self.represent(acceptance, status.HTTP_201_CREATED)


class RectificationViewSet(ScopedReadOnlyViewSet):
    """Rectifications after failed acceptances (R-HAND-3): list, close."""

    queryset = Rectification.objects.select_related("acceptance")
    serializer_class = RectificationSerializer
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    @extend_schema(
        request=CloseSerializer, responses={200: RectificationSerializer, **error_responses(*CHANGE_ERRORS)}
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        data = self.validated(CloseSerializer)
        rectification = services.rectification_close(
            actor=request.user, rectification=self.get_object(), note=data["note"]
        )
        return self.represent(rectification)
