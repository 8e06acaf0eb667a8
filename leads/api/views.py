"""REST API for customers, contacts, leads and communication records.

Views only translate HTTP into service calls (leads/services.py): the serializer checks the
shape of the input, the service checks every rule and permission and raises
``presales.core.errors.*``, which the exception handler turns into the error contract. The
queryset of each viewset is scoped with ``visible_to(user)`` (out of scope is 404) and its
joins and prefetches are decided here once, so list query counts do not grow with the page.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from leads import services, visits
from leads.api import serializers as s
from leads.erasure import contact_erase
from leads.filtersets import (
    CommunicationFilterSet,
    ContactFilterSet,
    CustomerFilterSet,
    LeadFilterSet,
    VisitPlanFilterSet,
)
from leads.models import (
    REVENUE_SORT,
    CommunicationRecord,
    Contact,
    Customer,
    CustomerPresales,
    Lead,
    VisitPlan,
)
from presales.accounts.models import User
from presales.api.renderers import CSVRenderer
from presales.api.schema import error_responses
from presales.api.viewsets import (
    CHANGE_ERRORS,
    DETAIL_ERRORS,
    READ_ERRORS,
    ServiceDestroyMixin,
    ServiceViewSet,
    crud_schema,
)
from presales.exports.api import export_action_schema, export_answer

# --- customers -----------------------------------------------------------------------------


@crud_schema("customer", s.CustomerSerializer, update=s.CustomerUpdateSerializer)
class CustomerViewSet(ServiceViewSet):
    """Customers (R-CUST-1..6): grade from fit × value, size class, one primary presales."""

    queryset = (
        Customer.objects.select_related("team", "owner")
        .prefetch_related(
            # Into lists (``to_attr``): Django then builds no queryset per row (issue 9).
            Prefetch(
                "presales_assignments",
                queryset=CustomerPresales.objects.select_related("user").order_by("pk"),
                to_attr="prefetched_assignments",
            ),
            Prefetch("need_tags", to_attr="prefetched_need_tags"),
        )
        # The expression of the index ``customer_revenue`` (issue 9).
        .annotate(revenue_sort=REVENUE_SORT)
    )
    serializer_class = s.CustomerSerializer
    update_serializer_class = s.CustomerUpdateSerializer
    filterset_class = CustomerFilterSet
    ordering_fields = ["name", "grade", "updated_at", "annual_revenue", "created_at"]
    # Revenue is nullable; the cursor sorts on a non-null annotation (no revenue = lowest).
    ordering_aliases = {"annual_revenue": "revenue_sort"}

    def service_create(self, data: dict):
        need_tags = data.pop("need_tags", None)
        primary = data.pop("primary_presales", None)
        return services.customer_create(
            actor=self.request.user, data=data, need_tags=need_tags, primary_presales=primary
        )

    def service_update(self, instance, data: dict, *, expected_version: int | None):
        need_tags = data.pop("need_tags", None)
        return services.customer_update(
            actor=self.request.user,
            customer=instance,
            data=data,
            need_tags=need_tags,
            expected_version=expected_version,
        )

    @extend_schema(
        summary="Merge this customer into another (R-LEAD-2)",
        request=s.CustomerMergeSerializer,
        responses={200: s.MergeRecordSerializer, **error_responses(*CHANGE_ERRORS)},
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        source = self.get_object()
        data = self.validated(s.CustomerMergeSerializer)
        record = services.customer_merge(actor=request.user, source=source, target=data["target"])
        return Response(s.MergeRecordSerializer(record).data)

    @extend_schema(
        summary="Take the suggested tier (R-CUST-4)",
        request=None,
        responses={200: s.CustomerSerializer, **error_responses(*CHANGE_ERRORS)},
    )
    @action(detail=True, methods=["post"], url_path="apply-suggested-tier")
    def apply_suggested_tier(self, request, pk=None):
        customer = services.customer_apply_suggested_tier(actor=request.user, customer=self.get_object())
        return self.represent(customer)

    @extend_schema(
        summary="Name the primary presales engineer (R-CUST-5)",
        request=s.PresalesUserSerializer,
        responses={200: s.CustomerSerializer, **error_responses(*CHANGE_ERRORS)},
    )
    @action(detail=True, methods=["post"], url_path="primary-presales")
    def primary_presales(self, request, pk=None):
        customer = self.get_object()
        data = self.validated(s.PresalesUserSerializer)
        services.customer_set_primary_presales(actor=request.user, customer=customer, user=data["user"])
        return self.represent(customer)

    @extend_schema(
        summary="Add an assisting presales engineer (R-CUST-5)",
        request=s.PresalesUserSerializer,
        responses={200: s.CustomerSerializer, **error_responses(*CHANGE_ERRORS)},
    )
    @action(detail=True, methods=["post"])
    def assistants(self, request, pk=None):
        customer = self.get_object()
        data = self.validated(s.PresalesUserSerializer)
        services.customer_add_assistant(actor=request.user, customer=customer, user=data["user"])
        return self.represent(customer)

    @extend_schema(
        summary="Remove an assisting presales engineer (R-CUST-5)",
        parameters=[OpenApiParameter("user_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=None,
        responses={204: None, **error_responses(*CHANGE_ERRORS)},
    )
    @action(detail=True, methods=["delete"], url_path=r"assistants/(?P<user_id>[0-9]+)")
    def remove_assistant(self, request, pk=None, user_id=None):
        customer = self.get_object()
        user = get_object_or_404(User, pk=user_id)
        services.customer_remove_presales(actor=request.user, customer=customer, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @export_action_schema("customers")
    @action(
        detail=False,
        methods=["get"],
        renderer_classes=[JSONRenderer, CSVRenderer],
        filter_backends=[DjangoFilterBackend],
        pagination_class=None,
    )
    def export(self, request):
        return export_answer(request, resource="customers")


# --- contacts ------------------------------------------------------------------------------


@crud_schema("contact", s.ContactSerializer, create=s.ContactCreateSerializer, destroy=True)
class ContactViewSet(ServiceDestroyMixin, ServiceViewSet):
    """Contacts of customers (R-CUST-1); phone and email masked outside the team (R-CUST-6)."""

    queryset = Contact.objects.all()
    serializer_class = s.ContactSerializer
    create_serializer_class = s.ContactCreateSerializer
    filterset_class = ContactFilterSet
    ordering_fields = ["name", "created_at", "updated_at"]

    def get_queryset(self):
        return super().get_queryset().with_contact_access(self.request.user)

    def service_create(self, data: dict):
        customer = data.pop("customer")
        return services.contact_create(actor=self.request.user, customer=customer, data=data)

    def service_update(self, instance, data: dict, *, expected_version: int | None):
        return services.contact_update(
            actor=self.request.user, contact=instance, data=data, expected_version=expected_version
        )

    def service_destroy(self, instance) -> None:
        services.contact_delete(actor=self.request.user, contact=instance)

    @extend_schema(
        summary="Erase the person's details on request (R-CUST-8; administrators only)",
        request=s.ContactEraseSerializer,
        responses={200: s.ContactErasureSerializer, **error_responses(*CHANGE_ERRORS)},
    )
    @action(detail=True, methods=["post"])
    def erase(self, request, pk=None):
        data = self.validated(s.ContactEraseSerializer)
        erasure = contact_erase(contact=self.get_object(), actor=request.user, **data)
        return Response(s.ContactErasureSerializer(erasure).data)


# --- visit plans ---------------------------------------------------------------------------


@crud_schema("visit plan", s.VisitPlanSerializer, create=s.VisitPlanCreateSerializer)
class VisitPlanViewSet(ServiceViewSet):
    """Visit plans (拜訪計劃, R-CUST-7): each a timer on its planner until done or cancelled."""

    queryset = VisitPlan.objects.select_related("customer").prefetch_related("contacts", "participants")
    serializer_class = s.VisitPlanSerializer
    create_serializer_class = s.VisitPlanCreateSerializer
    filterset_class = VisitPlanFilterSet
    ordering_fields = ["planned_at", "created_at"]

    def service_create(self, data: dict):
        customer = data.pop("customer")
        return visits.visit_plan_create(actor=self.request.user, customer=customer, data=data)

    def service_update(self, instance, data: dict, *, expected_version: int | None):
        return visits.visit_plan_update(
            actor=self.request.user, plan=instance, data=data, expected_version=expected_version
        )

    @extend_schema(
        summary="The visit was held: record it (R-CUST-7, R-COMM-1)",
        request=s.VisitDoneSerializer,
        responses={200: s.VisitPlanSerializer, **error_responses(*CHANGE_ERRORS)},
    )
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        data = self.validated(s.VisitDoneSerializer)
        plan = visits.visit_plan_done(actor=request.user, plan=self.get_object(), outcome=data["outcome"])
        return self.represent(self.get_queryset().get(pk=plan.pk))

    @extend_schema(
        summary="Cancel the visit (R-CUST-7)",
        request=s.VisitCancelSerializer,
        responses={200: s.VisitPlanSerializer, **error_responses(*CHANGE_ERRORS)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = self.validated(s.VisitCancelSerializer)
        plan = visits.visit_plan_cancel(
            actor=request.user, plan=self.get_object(), reason=data.get("reason", "")
        )
        return self.represent(self.get_queryset().get(pk=plan.pk))


# --- leads ---------------------------------------------------------------------------------


@crud_schema("lead", s.LeadSerializer, create=s.LeadCreateSerializer, update=s.LeadUpdateSerializer)
class LeadViewSet(ServiceViewSet):
    """Leads (R-LEAD-1..4): intake with duplicate detection, first contact, qualification."""

    queryset = Lead.objects.select_related("team", "owner", "presales_owner")
    serializer_class = s.LeadSerializer
    create_serializer_class = s.LeadCreateSerializer
    update_serializer_class = s.LeadUpdateSerializer
    filterset_class = LeadFilterSet
    ordering_fields = ["received_at", "first_contact_due_at", "company_name", "created_at"]

    def get_queryset(self):
        return super().get_queryset().with_contact_access(self.request.user)

    def service_create(self, data: dict):
        return services.lead_create(actor=self.request.user, data=data, **self._duplicate_override(data))

    def service_update(self, instance, data: dict, *, expected_version: int | None):
        return services.lead_update(
            actor=self.request.user,
            lead=instance,
            data=data,
            expected_version=expected_version,
            **self._duplicate_override(data),
        )

    @staticmethod
    def _duplicate_override(data: dict) -> dict:
        """R-LEAD-2: "keep anyway" and its reason are instructions to the service, not facts."""
        return {
            "allow_duplicate": data.pop("allow_duplicate", False),
            "duplicate_reason": data.pop("duplicate_override_reason", ""),
        }

    @extend_schema(
        summary="Record the first contact (R-LEAD-3)",
        request=s.FirstContactSerializer,
        responses={200: s.LeadSerializer, **error_responses(*CHANGE_ERRORS)},
    )
    @action(detail=True, methods=["post"], url_path="first-contact")
    def first_contact(self, request, pk=None):
        lead = self.get_object()
        data = self.validated(s.FirstContactSerializer)
        services.lead_record_first_contact(actor=request.user, lead=lead, data=data)
        return self.represent(lead)

    @extend_schema(
        summary="Disqualify the lead with a reason (R-LEAD-4)",
        request=s.LeadDisqualifySerializer,
        responses={200: s.LeadSerializer, **error_responses(*CHANGE_ERRORS)},
    )
    @action(detail=True, methods=["post"])
    def disqualify(self, request, pk=None):
        lead = self.get_object()
        data = self.validated(s.LeadDisqualifySerializer)
        services.lead_disqualify(actor=request.user, lead=lead, reason=data["reason"], note=data["note"])
        return self.represent(lead)

    @extend_schema(
        summary="Merge this lead into another (R-LEAD-2)",
        request=s.LeadMergeSerializer,
        responses={200: s.MergeRecordSerializer, **error_responses(*CHANGE_ERRORS)},
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        source = self.get_object()
        data = self.validated(s.LeadMergeSerializer)
        record = services.lead_merge(actor=request.user, source=source, target=data["target"])
        return Response(s.MergeRecordSerializer(record).data)

    @extend_schema(
        summary="The lead's status changes, newest first (R-LEAD-2, R-LEAD-4)",
        responses={200: s.LeadStatusChangeSerializer(many=True), **error_responses(*DETAIL_ERRORS)},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="status-changes",
        pagination_class=None,
        filter_backends=[],
    )
    def status_changes(self, request, pk=None):
        lead = self.get_object()
        changes = lead.status_changes.select_related("actor")
        return Response(s.LeadStatusChangeSerializer(changes, many=True).data)

    @extend_schema(
        summary="Find existing leads and customers like this company, phone or email (R-LEAD-2)",
        parameters=[s.DuplicateQuerySerializer],
        responses={200: s.DuplicatesSerializer, **error_responses(400, *READ_ERRORS)},
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def duplicates(self, request):
        query = s.DuplicateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = services.lead_find_duplicates(**query.validated_data)
        return Response(found.as_dict(request.user))

    @export_action_schema("leads")
    @action(
        detail=False,
        methods=["get"],
        renderer_classes=[JSONRenderer, CSVRenderer],
        filter_backends=[DjangoFilterBackend],
        pagination_class=None,
    )
    def export(self, request):
        return export_answer(request, resource="leads")


# --- communications ------------------------------------------------------------------------


@crud_schema("communication record", s.CommunicationSerializer, create=s.CommunicationCreateSerializer)
class CommunicationViewSet(ServiceViewSet):
    """Communication records (R-COMM-1); a promised follow-up is ``next_step_due_at``."""

    # R-COMM-2: the participants in two queries for the whole page, not two per record.
    queryset = CommunicationRecord.objects.prefetch_related("participant_users", "participant_contacts")
    serializer_class = s.CommunicationSerializer
    create_serializer_class = s.CommunicationCreateSerializer
    filterset_class = CommunicationFilterSet
    ordering_fields = ["occurred_at", "created_at"]

    def service_create(self, data: dict):
        customer = data.pop("customer", None)
        lead = data.pop("lead", None)
        return services.communication_create(actor=self.request.user, data=data, customer=customer, lead=lead)

    def service_update(self, instance, data: dict, *, expected_version: int | None):
        return services.communication_update(
            actor=self.request.user, record=instance, data=data, expected_version=expected_version
        )
