"""API of timers, notifications and SLA policies (/api/v1/timers/, /notifications/, /sla-policies/)."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from presales.api.filters import StableOrderingFilter
from presales.api.permissions import HasRole
from presales.api.serializers import StrictMixin
from presales.api.viewsets import BaseViewSet, ScopedReadOnlyViewSet, ServiceUpdateMixin
from presales.core.errors import DomainError
from presales.core.roles import Role
from presales.sla.choices import EscalationTarget, LimitUnit
from presales.sla.filtersets import TimerFilterSet
from presales.sla.models import Notification, SlaPolicy, Timer
from presales.sla.notifications import (
    notification_kind_label,
    notification_mark_all_read,
    notification_mark_read,
)
from presales.sla.policies import get_kind, kind_label
from presales.sla.services import POLICY_FIELDS, sla_policy_update
from presales.sla.subjects import subject_prefetch
from presales.sla.sweep import subject_url

# --- timers --------------------------------------------------------------------------------

SubjectField = inline_serializer(
    name="TimerSubject",
    fields={
        "type": serializers.CharField(),
        "id": serializers.IntegerField(),
        "label": serializers.CharField(),
        "url": serializers.CharField(),
    },
)


class TimerSerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()
    subject = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    owner_name = serializers.SerializerMethodField()
    due_estimated = serializers.BooleanField(
        read_only=True,
        help_text=_(
            "The due time counts weekends only in a year whose working-day calendar is not "
            "entered yet; it is recomputed when an administrator enters that year."
        ),
    )
    estimated_years = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text=_("The years estimated to compute the due time (empty: exact)."),
    )

    class Meta:
        model = Timer
        fields = [
            "id",
            "kind",
            "kind_label",
            "subject",
            "owner",
            "owner_name",
            "team",
            "state",
            "started_at",
            "due_at",
            "due_estimated",
            "estimated_years",
            "overdue",
            "next_action_at",
            "reminders_sent",
            "escalations_sent",
            "satisfied_at",
            "cancelled_at",
            "cancel_reason",
            "policy_version",
        ]
        read_only_fields = fields

    def get_kind_label(self, obj) -> str:
        return str(kind_label(obj.kind))

    def get_owner_name(self, obj) -> str:
        return str(obj.owner)

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue(self.context.get("now"))

    @extend_schema_field(SubjectField)
    def get_subject(self, obj) -> dict:
        subject = obj.subject
        return {
            "type": f"{obj.subject_type.app_label}.{obj.subject_type.model}",
            "id": obj.subject_id,
            "label": str(subject) if subject is not None else "",
            "url": subject_url(obj),
        }


class TimerViewSet(ScopedReadOnlyViewSet):
    """Timers the caller may see: their own; their teams' for managers (``?scope=team``);
    all for admins. Filters: ``scope=mine|team``, ``state``, ``kind``, ``team``,
    ``overdue=true``, ``due_soon=true``. Read-only: the owning services drive timers."""

    queryset = Timer.objects.select_related("owner", "subject_type")
    serializer_class = TimerSerializer
    filterset_class = TimerFilterSet
    ordering = ["due_at", "id"]
    ordering_fields = ["due_at", "started_at", "id"]

    def get_queryset(self):
        # The records' labels, fetched per model with what they need (no query per timer).
        return super().get_queryset().prefetch_related(subject_prefetch())

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}


# --- notifications -------------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "body",
            "url",
            "timer",
            "created_at",
            "read_at",
            "is_read",
        ]
        read_only_fields = fields

    def get_kind_label(self, obj) -> str:
        return str(notification_kind_label(obj.kind))


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """The caller's own notifications (never anyone else's, whatever the role).
    ``?unread=true`` keeps the unread ones; ``POST {id}/read/`` and ``POST read-all/``."""

    serializer_class = NotificationSerializer
    filter_backends = [StableOrderingFilter]
    ordering = ("-created_at", "-id")
    ordering_fields = ("created_at", "read_at", "id")

    def get_queryset(self):
        qs = Notification.objects.for_user(self.request.user)
        if self.request.query_params.get("unread") in ("1", "true", "True"):
            qs = qs.unread()
        return qs

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = notification_mark_read(actor=request.user, notification=self.get_object())
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        request=None,
        responses=inline_serializer(name="MarkedRead", fields={"marked": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": notification_mark_all_read(actor=request.user)})


# --- SLA policies --------------------------------------------------------------------------


class AdminWrites(HasRole):
    """Reads for every role; writes for admins (the service checks again)."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        return request.method in SAFE_METHODS or request.user.has_role(Role.ADMIN)


class SlaPolicySerializer(StrictMixin, serializers.ModelSerializer):
    label = serializers.SerializerMethodField()
    rule = serializers.SerializerMethodField()
    fixed_due = serializers.SerializerMethodField()
    limit_value = serializers.IntegerField(min_value=1, allow_null=True, required=False)
    limit_unit = serializers.ChoiceField(choices=LimitUnit.choices, required=False)
    reminder_hours = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=24 * 365), max_length=10, required=False
    )
    escalate_to = serializers.ChoiceField(choices=EscalationTarget.choices, required=False)
    escalate_role = serializers.ChoiceField(choices=Role.choices, allow_blank=True, required=False)
    escalate_after_hours = serializers.IntegerField(min_value=0, max_value=24 * 365, required=False)
    repeat_every_hours = serializers.IntegerField(
        min_value=1, max_value=24 * 365, allow_null=True, required=False
    )
    max_escalations = serializers.IntegerField(min_value=1, max_value=50, required=False)

    class Meta:
        model = SlaPolicy
        fields = [
            "kind",
            "label",
            "rule",
            "fixed_due",
            *POLICY_FIELDS,
            "version",
            "updated_at",
        ]
        read_only_fields = ["kind", "version", "updated_at"]

    def _spec(self, obj):
        try:
            return get_kind(obj.kind)
        except DomainError:
            return None

    def get_label(self, obj) -> str:
        return str(kind_label(obj.kind))

    def get_rule(self, obj) -> str:
        spec = self._spec(obj)
        return spec.rule if spec else ""

    def get_fixed_due(self, obj) -> bool:
        spec = self._spec(obj)
        return bool(spec and spec.fixed_due)


class SlaPolicyViewSet(ServiceUpdateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """The policy of each timer kind (R-SLA-4). Every role reads; admins change it with
    PUT/PATCH, which applies to timers started afterwards."""

    queryset = SlaPolicy.objects.all()
    serializer_class = SlaPolicySerializer
    permission_classes = [AdminWrites]
    lookup_field = "kind"
    lookup_value_regex = "[a-z0-9_]+"
    filter_backends: list = []
    pagination_class = None

    def get_object(self):
        kind = self.kwargs["kind"]
        try:
            get_kind(kind)
        except DomainError:
            raise Http404 from None
        policy = SlaPolicy.objects.filter(kind=kind).first()
        if policy is None:
            raise Http404
        return policy

    def service_update(self, instance, data: dict, *, expected_version: int | None) -> SlaPolicy:
        return sla_policy_update(
            actor=self.request.user, kind=instance.kind, data=data, expected_version=expected_version
        )


router = DefaultRouter()
router.register("timers", TimerViewSet, basename="timer")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("sla-policies", SlaPolicyViewSet, basename="sla-policy")
urlpatterns = router.urls
