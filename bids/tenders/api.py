"""/api/v1/bid-decisions/, /api/v1/tenders/, /api/v1/bids/ (R-BID-1, R-BID-2, R-BID-4,
R-BID-5, R-REV-3).

Writes call bids/tenders/services.py; decisions and statuses are read-only fields, changed
only through the actions (``decide``; ``submit``, ``seal``, ``result``), which answer 409
with the gate's reasons. Querysets are scoped through the opportunity (another team's
record is 404)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from bids.models import Bid, BidDecision, Tender
from bids.tenders import services
from bids.tenders.choices import Decision
from opportunities.choices import CloseReason
from opportunities.models import Opportunity
from presales.api.fields import ScopedPrimaryKeyRelatedField
from presales.api.schema import error_responses
from presales.api.serializers import StrictMixin
from presales.api.viewsets import CHANGE_ERRORS, ServiceViewSet, crud_schema


class BidDecisionSerializer(StrictMixin, serializers.ModelSerializer):
    """The tender analysis and strategy (R-BID-5); the decision goes through ``decide``."""

    read_only_messages = {
        "decision": _("The decision is taken through POST …/decide/."),
        "decided_by": _("The decision is taken through POST …/decide/."),
    }
    opportunity = ScopedPrimaryKeyRelatedField(queryset=Opportunity.objects.all())

    class Meta:
        model = BidDecision
        fields = [
            "id",
            "opportunity",
            "analysis",
            "strategy",
            "decision",
            "reason",
            "decided_by",
            "decided_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "decision",
            "reason",
            "decided_by",
            "decided_at",
            "version",
            "created_at",
            "updated_at",
        ]


class BidDecisionUpdateSerializer(BidDecisionSerializer):
    opportunity = serializers.PrimaryKeyRelatedField(read_only=True)


class BidDecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[Decision.BID, Decision.NO_BID])
    reason = serializers.ChoiceField(choices=CloseReason.choices, required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


@crud_schema("bid decision", BidDecisionSerializer, update=BidDecisionUpdateSerializer)
class BidDecisionViewSet(ServiceViewSet):
    """Bid / no-bid decisions of the opportunities the caller sees (R-BID-5)."""

    queryset = BidDecision.objects.select_related("opportunity")
    serializer_class = BidDecisionSerializer
    update_serializer_class = BidDecisionUpdateSerializer

    def service_create(self, data: dict) -> BidDecision:
        opportunity = data.pop("opportunity")
        return services.decision_save(actor=self.request.user, opportunity=opportunity, data=data)

    def service_update(self, instance, data: dict, *, expected_version: int | None) -> BidDecision:
        return services.decision_save(
            actor=self.request.user,
            opportunity=instance.opportunity,
            data=data,
            expected_version=expected_version,
        )

    @extend_schema(
        request=BidDecideSerializer, responses={200: BidDecisionSerializer, **error_responses(*CHANGE_ERRORS)}
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The presales manager decides: bid, or no bid (the opportunity is abandoned)."""
        record = self.get_object()
        data = self.validated(BidDecideSerializer)
        record = services.decision_decide(
            actor=request.user,
            opportunity=record.opportunity,
            decision=data["decision"],
            reason=data.get("reason", ""),
            note=data.get("note", ""),
        )
        return self.represent(record)


class TenderSerializer(StrictMixin, serializers.ModelSerializer):
    """The tender (R-BID-1); its documents checklist is read here."""

    opportunity = ScopedPrimaryKeyRelatedField(queryset=Opportunity.objects.all())

    class Meta:
        model = Tender
        fields = [
            "id",
            "opportunity",
            "issuer",
            "number",
            "time_zone",
            "documents_purchase_at",
            "documents_purchased_on",
            "questions_until",
            "questions_sent_on",
            "submission_deadline",
            "opening_at",
            "bond_amount",
            "bond_paid_on",
            "bond_returned_on",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]


class TenderUpdateSerializer(TenderSerializer):
    opportunity = serializers.PrimaryKeyRelatedField(read_only=True)


@crud_schema("tender", TenderSerializer, update=TenderUpdateSerializer)
class TenderViewSet(ServiceViewSet):
    """Tenders of the opportunities the caller sees (R-BID-1)."""

    queryset = Tender.objects.select_related("opportunity")
    serializer_class = TenderSerializer
    update_serializer_class = TenderUpdateSerializer

    def service_create(self, data: dict) -> Tender:
        opportunity = data.pop("opportunity")
        return services.tender_save(actor=self.request.user, opportunity=opportunity, data=data)

    def service_update(self, instance, data: dict, *, expected_version: int | None) -> Tender:
        return services.tender_save(
            actor=self.request.user,
            opportunity=instance.opportunity,
            data=data,
            expected_version=expected_version,
        )


class BidSerializer(StrictMixin, serializers.ModelSerializer):
    """The bid (R-REV-3, R-BID-2, R-BID-4); the status changes only through its actions."""

    read_only_messages = {
        "status": _("The status changes only through the bid's actions."),
        "winning_vendor": _("The result is recorded through POST …/result/."),
        "winning_price": _("The result is recorded through POST …/result/."),
    }
    opportunity = ScopedPrimaryKeyRelatedField(queryset=Opportunity.objects.all())

    class Meta:
        model = Bid
        fields = [
            "id",
            "opportunity",
            "summary",
            "status",
            "created_by",
            "submitted_at",
            "sealed_at",
            "result_at",
            "winning_vendor",
            "winning_price",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "created_by",
            "submitted_at",
            "sealed_at",
            "result_at",
            "winning_vendor",
            "winning_price",
            "version",
            "created_at",
            "updated_at",
        ]


class BidUpdateSerializer(BidSerializer):
    opportunity = serializers.PrimaryKeyRelatedField(read_only=True)


class ResultSerializer(serializers.Serializer):
    won = serializers.BooleanField()
    winning_vendor = serializers.CharField(required=False, allow_blank=True, max_length=200)
    winning_price = serializers.DecimalField(
        required=False, allow_null=True, max_digits=14, decimal_places=2, min_value=0
    )
    reason = serializers.ChoiceField(choices=CloseReason.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


BID_ACTION = extend_schema(request=None, responses={200: BidSerializer, **error_responses(*CHANGE_ERRORS)})


@crud_schema("bid", BidSerializer, update=BidUpdateSerializer)
class BidViewSet(ServiceViewSet):
    """Bids of the opportunities the caller sees."""

    queryset = Bid.objects.select_related("opportunity")
    serializer_class = BidSerializer
    update_serializer_class = BidUpdateSerializer

    def service_create(self, data: dict) -> Bid:
        opportunity = data.pop("opportunity")
        return services.bid_save(actor=self.request.user, opportunity=opportunity, data=data)

    def service_update(self, instance, data: dict, *, expected_version: int | None) -> Bid:
        return services.bid_save(
            actor=self.request.user,
            opportunity=instance.opportunity,
            data=data,
            expected_version=expected_version,
        )

    @BID_ACTION
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send the bid to its review (chain of kind ``bid``, R-REV-3)."""
        return self.represent(services.bid_submit(actor=request.user, bid=self.get_object()))

    @BID_ACTION
    @action(detail=True, methods=["post"])
    def seal(self, request, pk=None):
        """Seal the approved bid before the deadline (R-BID-2); 409 with the reasons otherwise."""
        return self.represent(services.bid_seal(actor=request.user, bid=self.get_object()))

    @extend_schema(
        request=ResultSerializer, responses={200: BidSerializer, **error_responses(*CHANGE_ERRORS)}
    )
    @action(detail=True, methods=["post"])
    def result(self, request, pk=None):
        """Won or lost (R-BID-4); lost closes the opportunity as lost with the reason."""
        data = self.validated(ResultSerializer)
        bid = services.bid_record_result(
            actor=request.user,
            bid=self.get_object(),
            won=data["won"],
            winning_vendor=data.get("winning_vendor", ""),
            winning_price=data.get("winning_price"),
            reason=data.get("reason") or CloseReason.PRICE,
            note=data.get("note", ""),
        )
        return self.represent(bid)
