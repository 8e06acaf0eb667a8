"""/api/v1/contracts/ and /api/v1/contract-lines/ (R-SOL-6, R-CON-1..4, R-REV-4).

A contract is created from its opportunity (drawn from the accepted version and its quote,
409 without one), its terms change with PUT/PATCH (a change to an approved contract sends it
back to draft, R-REV-5); ``status``, the amount and the signing facts are read-only: they
change only through ``submit``, ``sign`` and ``scan``, which answer 409 with the gate's
reasons. Lines: list, add, change (with the explanation of their difference, R-CON-2).
Querysets are scoped (another team's contract is 404); every write calls the services.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from bids.contracts import selectors, services
from bids.contracts.choices import SignatoryCapacity, SigningMethod
from bids.models import Contract, ContractLine
from opportunities.models import Opportunity
from presales.api.fields import ScopedPrimaryKeyRelatedField
from presales.api.schema import error_responses
from presales.api.serializers import StrictMixin
from presales.api.viewsets import CHANGE_ERRORS, ServiceViewSet, crud_schema

READ_ONLY = [
    "id",
    "solution_version",
    "status",
    "currency",
    "amount",
    "amount_excl_tax",
    "created_by",
    "submitted_at",
    "decided_at",
    "customer_signatory_name",
    "customer_signatory_title",
    "customer_authorisation_ref",
    "our_signatory_name",
    "our_signatory_capacity",
    "signing_method",
    "signed_on",
    "signed_at",
    "signed_scan",
    "archive_location",
    "archived_at",
    "version",
    "created_at",
    "updated_at",
]


class ContractSerializer(StrictMixin, serializers.ModelSerializer):
    """A contract (R-CON-1: its terms, one field each). Status, amount, signing and archive
    are read-only: they change through the contract's actions."""

    read_only_messages = {
        "status": _("The status changes only through the contract's actions."),
        "amount": _("The amount is the sum of the contract's lines."),
    }
    opportunity = ScopedPrimaryKeyRelatedField(queryset=Opportunity.objects.all())
    # The scan is a logged download for who sees the contract, never a media URL (R-CON-4).
    signed_scan = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = ["opportunity", *services.TERM_FIELDS, *READ_ONLY]
        read_only_fields = READ_ONLY
        extra_kwargs = {
            "title": {"required": False},
            "party_customer": {"required": False},
            "party_company": {"required": False},
        }

    @extend_schema_field(OpenApiTypes.URI)
    def get_signed_scan(self, contract: Contract) -> str | None:
        if not contract.signed_scan:
            return None
        return reverse("bids:contract-scan", args=[contract.pk])


class ContractUpdateSerializer(ContractSerializer):
    opportunity = serializers.PrimaryKeyRelatedField(read_only=True)


class ContractLineSerializer(StrictMixin, serializers.ModelSerializer):
    """A contract line; its amounts follow the quote's rounding rule (read-only)."""

    contract = ScopedPrimaryKeyRelatedField(queryset=Contract.objects.all())

    class Meta:
        model = ContractLine
        fields = [
            "id",
            "contract",
            "quote_line",
            "position",
            *services.LINE_FIELDS,
            "price_excl",
            "tax",
            "price_incl",
            "version",
        ]
        read_only_fields = ["id", "quote_line", "position", "price_excl", "tax", "price_incl", "version"]


class ContractLineUpdateSerializer(ContractLineSerializer):
    contract = serializers.PrimaryKeyRelatedField(read_only=True)


class SignSerializer(serializers.Serializer):
    """R-CON-3: who signed, with what authority, how and when."""

    customer_signatory_name = serializers.CharField(max_length=120)
    customer_signatory_title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    customer_authorisation_ref = serializers.CharField(max_length=200)
    our_signatory_name = serializers.CharField(max_length=120)
    our_signatory_capacity = serializers.ChoiceField(choices=SignatoryCapacity.choices)
    signing_method = serializers.ChoiceField(choices=SigningMethod.choices)
    signed_on = serializers.DateField()


class ScanSerializer(serializers.Serializer):
    """R-CON-4: the signed scan and where the paper original is kept."""

    signed_scan = serializers.FileField()
    archive_location = serializers.CharField(max_length=200)


@crud_schema("contract", ContractSerializer, update=ContractUpdateSerializer)
class ContractViewSet(ServiceViewSet):
    """Contracts of the opportunities the caller sees (R-CON-1..4)."""

    queryset = Contract.objects.select_related("opportunity", "solution_version")
    serializer_class = ContractSerializer
    update_serializer_class = ContractUpdateSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def service_create(self, data: dict) -> Contract:
        opportunity = data.pop("opportunity")
        return services.contract_create(actor=self.request.user, opportunity=opportunity, data=data)

    def service_update(self, instance, data: dict, *, expected_version: int | None) -> Contract:
        return services.contract_update(
            actor=self.request.user, contract=instance, data=data, expected_version=expected_version
        )

    @extend_schema(request=None, responses={200: ContractSerializer, **error_responses(*CHANGE_ERRORS)})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send to the approval chain of kind ``contract`` (R-REV-4), once every difference
        from the accepted quote is explained (R-CON-2)."""
        return self.represent(services.contract_submit(actor=request.user, contract=self.get_object()))

    @extend_schema(
        request=SignSerializer, responses={200: ContractSerializer, **error_responses(*CHANGE_ERRORS)}
    )
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """Record the signing of the approved contract (R-CON-3); the scan is then due (R-CON-4)."""
        data = self.validated(SignSerializer)
        return self.represent(
            services.contract_sign(actor=request.user, contract=self.get_object(), data=data)
        )

    @extend_schema(
        request=ScanSerializer, responses={200: ContractSerializer, **error_responses(*CHANGE_ERRORS)}
    )
    @action(detail=True, methods=["post"])
    def scan(self, request, pk=None):
        """Upload the signed scan with the paper archive location (R-CON-4)."""
        data = self.validated(ScanSerializer)
        contract = services.contract_record_scan(
            actor=request.user,
            contract=self.get_object(),
            scan=data["signed_scan"],
            archive_location=data["archive_location"],
        )
        return self.represent(contract)


@crud_schema("contract line", ContractLineSerializer, update=ContractLineUpdateSerializer)
class ContractLineViewSet(ServiceViewSet):
    """Lines of the contracts the caller sees (R-CON-2)."""

    queryset = ContractLine.objects.select_related("contract")
    serializer_class = ContractLineSerializer
    update_serializer_class = ContractLineUpdateSerializer
    ordering_fields = ["position", "id"]
    ordering = ["contract", "position", "id"]

    def service_create(self, data: dict) -> ContractLine:
        contract = data.pop("contract")
        return services.contract_line_add(actor=self.request.user, contract=contract, data=data)

    def service_update(self, instance, data: dict, *, expected_version: int | None) -> ContractLine:
        return services.contract_line_update(
            actor=self.request.user, line=instance, data=data, expected_version=expected_version
        )


__all__ = ["ContractLineViewSet", "ContractViewSet", "selectors"]
