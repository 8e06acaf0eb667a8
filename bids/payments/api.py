"""/api/v1/payment-instalments/, /api/v1/payment-receipts/ and /api/v1/receivables/ (R-PAY-1).

Instalments: list (``?contract=``), read, add, change (with ``version``/``If-Match``),
delete; before signing anything of the plan changes, after signing only the due date of a
triggered instalment (400 ``plan_fixed`` otherwise). ``amount_due``, ``due_on`` until
triggered, the received total and the status are read-only. ``record_event`` gives the
delivery or acceptance date to the instalments waiting for it.

Receipts: list (``?contract=``, ``?instalment=``), read, record; ``reverse`` records a
correcting entry. A receipt that would exceed the instalment's or the contract's amount is
refused with 409 ``over_receipt`` (the amount left in ``outstanding``). Receipts are never
changed or deleted.

Receivables: ``?group=contract|customer|owner|team`` with ``team`` and ``owner`` filters,
paged with ``page`` and ``page_size`` (at most 200).

Querysets are scoped (another team's records are 404 / absent); every write calls the services.
"""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from bids.models import Contract, PaymentInstalment, PaymentReceipt
from bids.payments import selectors, services
from bids.payments.choices import EVENT_TRIGGERS, InstalmentStatus, PaymentMethod, ReceivablesGroup, Trigger
from bids.payments.forms import ReceivablesFilter
from presales.api.fields import ScopedPrimaryKeyRelatedField
from presales.api.permissions import CanWriteRecords, HasRole
from presales.api.schema import error_responses
from presales.api.serializers import StrictMixin
from presales.api.viewsets import (
    CHANGE_ERRORS,
    DETAIL_ERRORS,
    READ_ERRORS,
    BaseAPIView,
    BaseViewSet,
    ScopedModelViewSet,
    ScopedQuerysetMixin,
    ServiceCreateMixin,
    crud_schema,
)
from presales.core.errors import DomainError

MAX_PAGE_SIZE = 200


class InstalmentFilter(django_filters.FilterSet):
    contract = django_filters.NumberFilter(field_name="plan__contract", label=_("Contract"))

    class Meta:
        model = PaymentInstalment
        fields = ["contract", "trigger"]


class ReceiptFilter(django_filters.FilterSet):
    contract = django_filters.NumberFilter(field_name="instalment__plan__contract", label=_("Contract"))
    instalment = django_filters.NumberFilter(field_name="instalment", label=_("Instalment"))

    class Meta:
        model = PaymentReceipt
        fields = ["contract", "instalment", "kind"]


class PaymentInstalmentSerializer(StrictMixin, serializers.ModelSerializer):
    """An instalment of a contract's payment plan (R-PAY-1)."""

    read_only_messages = {
        "amount_due": _("The amount due is computed from the percentage or the fixed amount."),
        "received_total": _("The received total is the sum of the receipts."),
    }
    contract = ScopedPrimaryKeyRelatedField(queryset=Contract.objects.all(), source="plan.contract")
    outstanding = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    status = serializers.SerializerMethodField()
    due_on = serializers.DateField(required=False, allow_null=True)

    class Meta:
        model = PaymentInstalment
        fields = [
            "id",
            "contract",
            "position",
            *services.INSTALMENT_FIELDS,
            "amount_due",
            "event_on",
            "due_on",
            "received_total",
            "outstanding",
            "settled_at",
            "status",
            "version",
        ]
        read_only_fields = [
            "id",
            "position",
            "amount_due",
            "event_on",
            "received_total",
            "settled_at",
            "version",
        ]
        extra_kwargs = {"trigger": {"required": False}, "offset_days": {"required": False}}

    @extend_schema_field(serializers.ChoiceField(choices=InstalmentStatus.choices))
    def get_status(self, instalment: PaymentInstalment) -> str:
        return instalment.status


class PaymentInstalmentUpdateSerializer(PaymentInstalmentSerializer):
    contract = serializers.PrimaryKeyRelatedField(read_only=True, source="plan.contract")


class EventSerializer(serializers.Serializer):
    """The delivery or the acceptance (``event``) happened on ``occurred_on``."""

    event = serializers.ChoiceField(choices=[(t.value, t.label) for t in Trigger if t in EVENT_TRIGGERS])
    occurred_on = serializers.DateField()


class PaymentReceiptSerializer(StrictMixin, serializers.ModelSerializer):
    """A receipt (or the reversal of one) against an instalment (R-PAY-1)."""

    instalment = ScopedPrimaryKeyRelatedField(queryset=PaymentInstalment.objects.all())
    method = serializers.ChoiceField(choices=PaymentMethod.choices)

    class Meta:
        model = PaymentReceipt
        fields = [
            "id",
            "instalment",
            "kind",
            "amount",
            "received_on",
            "method",
            "reference",
            "note",
            "reverses",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["id", "kind", "reverses", "recorded_by", "created_at"]


class ReverseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


@crud_schema(
    "payment instalment", PaymentInstalmentSerializer, update=PaymentInstalmentUpdateSerializer, destroy=True
)
class PaymentInstalmentViewSet(ScopedModelViewSet):
    """Instalments of the payment plans of the contracts the caller sees (R-PAY-1)."""

    queryset = PaymentInstalment.objects.select_related("plan__contract")
    serializer_class = PaymentInstalmentSerializer
    update_serializer_class = PaymentInstalmentUpdateSerializer
    filterset_class = InstalmentFilter
    ordering_fields = ["position", "due_on", "id"]
    ordering = ["id"]

    def service_create(self, data: dict) -> PaymentInstalment:
        contract = data.pop("plan")["contract"]
        if data.get("due_on") is not None:
            raise DomainError(
                fields={"due_on": [_("The due date is set at signing or when the event happens.")]}
            )
        data.pop("due_on", None)
        return services.instalment_add(actor=self.request.user, contract=contract, data=data)

    def service_update(self, instance, data: dict, *, expected_version: int | None) -> PaymentInstalment:
        return services.instalment_update(
            actor=self.request.user, instalment=instance, data=data, expected_version=expected_version
        )

    def service_destroy(self, instance) -> None:
        services.instalment_delete(actor=self.request.user, instalment=instance)

    @extend_schema(
        request=EventSerializer, responses={200: OpenApiTypes.OBJECT, **error_responses(*CHANGE_ERRORS)}
    )
    @action(detail=True, methods=["post"], url_path="record-event")
    def record_event(self, request, pk=None):
        """The delivery or acceptance of this instalment's contract happened: every
        instalment waiting for it gets its due date (and collection timer)."""
        instalment = self.get_object()
        data = self.validated(EventSerializer)
        count = services.plan_record_event(
            actor=request.user,
            contract=instalment.plan.contract,
            trigger=data["event"],
            occurred_on=data["occurred_on"],
        )
        return Response({"triggered": count})


@extend_schema_view(
    list=extend_schema(
        summary="List payment receipts",
        responses={200: PaymentReceiptSerializer(many=True), **error_responses(400, *READ_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="Get a payment receipt",
        responses={200: PaymentReceiptSerializer, **error_responses(*DETAIL_ERRORS)},
    ),
    create=extend_schema(
        summary="Record a payment receipt",
        request=PaymentReceiptSerializer,
        responses={201: PaymentReceiptSerializer, **error_responses(400, 401, 403, 409)},
    ),
)
class PaymentReceiptViewSet(
    ScopedQuerysetMixin,
    ServiceCreateMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    BaseViewSet,
):
    """Receipts of the instalments the caller sees (R-PAY-1): recorded, listed, reversed;
    never changed or deleted (no PUT, PATCH or DELETE)."""

    permission_classes = [CanWriteRecords]
    queryset = PaymentReceipt.objects.select_related("instalment")
    serializer_class = PaymentReceiptSerializer
    filterset_class = ReceiptFilter
    ordering_fields = ["received_on", "id"]
    ordering = ["-received_on", "-id"]

    def service_create(self, data: dict) -> PaymentReceipt:
        instalment = data.pop("instalment")
        return services.receipt_record(actor=self.request.user, instalment=instalment, data=data)

    @extend_schema(
        request=ReverseSerializer,
        responses={201: PaymentReceiptSerializer, **error_responses(*CHANGE_ERRORS)},
    )
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        """Reverse this receipt with a correcting entry and its reason."""
        data = self.validated(ReverseSerializer)
        reversal = services.receipt_reverse(
            actor=request.user, receipt=self.get_object(), reason=data["reason"]
        )
        return self.represent(reversal, 201)


def _money(value: Decimal | None) -> str:
    return str(value if value is not None else Decimal("0.00"))


class ReceivablesView(BaseAPIView):
    """What the visible signed contracts still owe, grouped, with ageing buckets (R-PAY-1)."""

    permission_classes = [HasRole]

    @extend_schema(
        parameters=[
            OpenApiParameter("group", str, enum=list(ReceivablesGroup.values)),
            OpenApiParameter("team", int),
            OpenApiParameter("owner", int),
            OpenApiParameter("page", {"type": "integer", "minimum": 1}),
            OpenApiParameter("page_size", {"type": "integer", "minimum": 1, "maximum": 200}),
        ],
        responses={200: OpenApiTypes.OBJECT, **error_responses(400, *READ_ERRORS)},
    )
    def get(self, request):
        filterset = ReceivablesFilter(
            request.query_params, queryset=selectors.receivable_instalments(request.user), request=request
        )
        if not filterset.is_valid():
            raise DomainError(fields={k: [str(m) for m in v] for k, v in filterset.errors.items()})
        group = filterset.grouping
        size = request.query_params.get("page_size", "50")
        number = request.query_params.get("page", "1")
        if not size.isdigit() or not 1 <= int(size) <= MAX_PAGE_SIZE:
            raise DomainError(fields={"page_size": [_("A number from 1 to 200.")]})
        if not number.isdigit() or int(number) < 1:
            raise DomainError(fields={"page": [_("A page number from 1.")]})
        paginator = Paginator(selectors.receivables(filterset.qs, group=group), int(size))
        page = paginator.get_page(int(number))
        results = [
            {
                "key": selectors.row_key(group, row),
                "label": selectors.row_label(group, row),
                "currency": row["plan__contract__currency"],
                **{name: _money(row[name]) for name in selectors.FIGURES},
            }
            for row in page.object_list
        ]
        return Response(
            {
                "group": group,
                "count": paginator.count,
                "page": page.number,
                "num_pages": paginator.num_pages,
                "results": results,
            }
        )
