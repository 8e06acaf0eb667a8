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
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from bids.contracts import selectors, services
from bids.contracts.choices import SignatoryCapacity, SigningMethod
from bids.models import ClauseChange, Contract, ContractLine, NegotiationMinute
from opportunities.models import Opportunity
from presales.api.fields import ScopedPrimaryKeyRelatedField
from presales.api.schema import error_responses
from presales.api.serializers import StrictMixin
from presales.api.viewsets import (
    CHANGE_ERRORS,
    DETAIL_ERRORS,
    IF_MATCH,
    READ_ERRORS,
    BaseViewSet,
    ScopedQuerysetMixin,
    ScopedReadOnlyViewSet,
    ServiceCreateMixin,
    ServiceDestroyMixin,
    ServiceViewSet,
    crud_schema,
    expected_version,
)
from presales.core.errors import DomainError

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


class DeviationSerializer(serializers.Serializer):
    """A clause that differs from its standard template (R-CON-5)."""

    field = serializers.CharField()
    label = serializers.CharField()
    template_text = serializers.CharField()
    contract_text = serializers.CharField()
    template_version = serializers.IntegerField()


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
    # R-CON-5: the clauses that deviate from the standard template, for legal (read-only).
    deviations = serializers.SerializerMethodField()
    clause_language = serializers.CharField(
        read_only=True, help_text=_("The language the clauses were drawn in (zh-hans, zh-hant or en).")
    )

    class Meta:
        model = Contract
        fields = ["opportunity", *services.TERM_FIELDS, *READ_ONLY, "clause_language", "deviations"]
        read_only_fields = READ_ONLY
        extra_kwargs = {
            "title": {"required": False},
            "party_customer": {"required": False},
            "party_company": {"required": False},
        }

    def _templates(self) -> dict:
        # One read of the standard clauses for a whole page of contracts.
        cache = self.context.setdefault("clause_templates", {})
        if "all" not in cache:
            cache["all"] = selectors.all_templates()
        return cache["all"]

    @extend_schema_field(DeviationSerializer(many=True))
    def get_deviations(self, contract: Contract) -> list[dict]:
        return [
            {
                "field": d.field,
                "label": d.label,
                "template_text": d.template_text,
                "contract_text": d.contract_text,
                "template_version": d.template_version,
            }
            for d in selectors.deviations(contract, templates=self._templates())
        ]

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


@crud_schema("contract line", ContractLineSerializer, update=ContractLineUpdateSerializer, destroy=True)
class ContractLineViewSet(ServiceDestroyMixin, ServiceViewSet):
    """Lines of the contracts the caller sees (R-CON-2). DELETE drops a line while the
    contract may change (a line of the accepted quote needs ``explanation``, in the body or
    the query string); an approved contract goes back to draft (R-REV-5)."""

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

    def service_destroy(self, instance) -> None:
        request = self.request
        explanation = request.query_params.get("explanation", "")
        if hasattr(request.data, "get") and request.data.get("explanation") is not None:
            explanation = request.data.get("explanation")
        if not isinstance(explanation, str):
            raise DomainError(fields={"explanation": [_("Give the reason as text.")]})
        services.contract_line_delete(
            actor=request.user,
            line=instance,
            explanation=explanation,
            expected_version=expected_version(request),
        )


class NegotiationMinuteSerializer(StrictMixin, serializers.ModelSerializer):
    """Minutes of a negotiation (R-CON-5); ``terms`` are the terms it changed, written on the
    contract (its ``changes`` list them with their texts before and after)."""

    contract = ScopedPrimaryKeyRelatedField(queryset=Contract.objects.all())
    terms = serializers.DictField(child=serializers.JSONField(), write_only=True, required=False)

    class Meta:
        model = NegotiationMinute
        fields = [
            "id",
            "contract",
            "held_on",
            "our_attendees",
            "customer_attendees",
            "summary",
            "terms",
            "changes",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["id", "changes", "created_by", "created_at"]

    def validate_terms(self, terms: dict) -> dict:
        unknown = sorted(set(terms).difference(services.NEGOTIATED_FIELDS))
        if unknown:
            raise serializers.ValidationError(
                _("Not a negotiated term: %(names)s") % {"names": ", ".join(unknown)}
            )
        partial = ContractUpdateSerializer(data=terms, partial=True)
        if not partial.is_valid():
            raise serializers.ValidationError(partial.errors)
        return {name: partial.validated_data[name] for name in terms}


@extend_schema_view(
    list=extend_schema(
        summary="List negotiation minutes",
        responses={200: NegotiationMinuteSerializer(many=True), **error_responses(400, *READ_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="Get a negotiation minute",
        responses={200: NegotiationMinuteSerializer, **error_responses(*DETAIL_ERRORS)},
    ),
    create=extend_schema(
        summary="Record a negotiation minute",
        parameters=[IF_MATCH],
        responses={201: NegotiationMinuteSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
)
class NegotiationMinuteViewSet(
    ScopedQuerysetMixin, ServiceCreateMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, BaseViewSet
):
    """Negotiation minutes of the contracts the caller sees (R-CON-5): list, read, record
    (minutes are a record of a meeting: never changed or deleted)."""

    permission_classes = ServiceViewSet.permission_classes
    queryset = NegotiationMinute.objects.select_related("contract")
    serializer_class = NegotiationMinuteSerializer
    ordering_fields = ["held_on", "id"]
    ordering = ["-held_on", "-id"]

    def service_create(self, data: dict) -> NegotiationMinute:
        contract = data.pop("contract")
        terms = data.pop("terms", None)
        return services.negotiation_minute_record(
            actor=self.request.user,
            contract=contract,
            data=data,
            terms=terms,
            expected_version=expected_version(self.request),
        )


class ClauseChangeSerializer(serializers.ModelSerializer):
    """A term changed during approval and its confirmation by the customer (R-CON-5)."""

    status_at_change = serializers.CharField(read_only=True, help_text=_("The contract's status then."))

    class Meta:
        model = ClauseChange
        fields = [
            "id",
            "contract",
            "field",
            "before",
            "after",
            "status_at_change",
            "changed_by",
            "minute",
            "customer_confirmed_by",
            "customer_confirmed_on",
            "confirmed_by",
            "confirmed_at",
            "created_at",
        ]
        read_only_fields = fields


class ConfirmSerializer(serializers.Serializer):
    """R-CON-5: who on the customer's side confirmed the change, and on which day."""

    customer_confirmed_by = serializers.CharField(max_length=120)
    customer_confirmed_on = serializers.DateField()


class ClauseChangeViewSet(ScopedReadOnlyViewSet):
    """Terms changed during approval (R-CON-5), with ``?contract=`` to list one contract's;
    ``confirm`` records the customer's confirmation (a contract with a change waiting for it
    is not submitted again)."""

    queryset = ClauseChange.objects.select_related("contract")
    serializer_class = ClauseChangeSerializer
    filterset_fields = ["contract"]
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    @extend_schema(
        request=ConfirmSerializer, responses={200: ClauseChangeSerializer, **error_responses(*CHANGE_ERRORS)}
    )
    @action(detail=True, methods=["post"], permission_classes=ServiceViewSet.permission_classes)
    def confirm(self, request, pk=None):
        data = self.validated(ConfirmSerializer)
        change = services.clause_change_confirm(actor=request.user, change=self.get_object(), **data)
        return self.represent(change)


__all__ = ["ContractLineViewSet", "ContractViewSet", "selectors"]
