"""Collaboration's API (R-COLL-1, R-COLL-2, R-NEED-5):

- ``/api/v1/collaboration-requests/``: list (filters box/status/kind/target_department),
  retrieve, create (submit), and the moves ``accept``, ``decline`` (reason), ``complete``
  (result), ``rate`` (rating 1–5, comment), ``cancel``;
- ``/api/v1/meeting-minutes/``: list, retrieve, create (with action items), update; its
  ``action-items`` (GET the items, POST one more);
- ``/api/v1/action-items/``: the action items of the minutes the caller sees: list, retrieve,
  change, ``complete``, delete (cancels its timer).
Every write goes through ``collaboration.services``."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from collaboration import services
from collaboration.choices import ActionStatus, RequestKind, RequestStatus
from collaboration.models import ActionItem, CollaborationRequest, MeetingMinute, departments_of
from presales.accounts.models import Department, User
from presales.api.permissions import HasRole
from presales.api.schema import error_responses
from presales.api.serializers import StrictMixin
from presales.api.viewsets import (
    CHANGE_ERRORS,
    DETAIL_ERRORS,
    READ_ERRORS,
    BaseViewSet,
    ScopedQuerysetMixin,
    ServiceCreateMixin,
    ServiceDestroyMixin,
    ServiceUpdateMixin,
    ServiceViewSet,
    crud_schema,
)
from presales.core.filters import ChoicesFilter

# --- collaboration requests --------------------------------------------------------------------


class RequestFilter(django_filters.FilterSet):
    box = django_filters.ChoiceFilter(
        choices=[("mine", "mine"), ("department", "department")], method="filter_box", label="box"
    )
    status = ChoicesFilter(choices=RequestStatus.choices)
    kind = ChoicesFilter(choices=RequestKind.choices)
    target_department = ChoicesFilter(choices=Department.choices)

    class Meta:
        model = CollaborationRequest
        fields = ["box", "status", "kind", "target_department", "opportunity", "requester"]

    def filter_box(self, queryset, name, value):
        user = self.request.user
        if value == "mine":
            return queryset.filter(requester_id=user.pk)
        return queryset.filter(target_department__in=departments_of(user))


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField()


class RequestSerializer(StrictMixin, serializers.ModelSerializer):
    requester_name = serializers.CharField(source="requester.__str__", read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = CollaborationRequest
        fields = [
            "id",
            "number",
            "kind",
            "item",
            "description",
            "requesting_department",
            "target_department",
            "requester",
            "requester_name",
            "opportunity",
            "due_at",
            "expected_result",
            "status",
            "accepted_by",
            "accepted_at",
            "decline_reason",
            "result",
            "completed_by",
            "completed_at",
            "rating",
            "rating_comment",
            "rated_at",
            "attachments",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "number",
            "requesting_department",
            "requester",
            "status",
            "accepted_by",
            "accepted_at",
            "decline_reason",
            "result",
            "completed_by",
            "completed_at",
            "rating",
            "rating_comment",
            "rated_at",
            "created_at",
            "updated_at",
        ]


class DeclineSerializer(StrictMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class CompleteSerializer(StrictMixin, serializers.Serializer):
    result = serializers.CharField(max_length=20000)


class CollaborationRateSerializer(StrictMixin, serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class EmptySerializer(StrictMixin, serializers.Serializer):
    pass


MOVE_RESPONSES = {200: RequestSerializer, **error_responses(*CHANGE_ERRORS)}


@crud_schema("collaboration request", RequestSerializer, updates=False)
class CollaborationRequestViewSet(
    ScopedQuerysetMixin,
    ServiceCreateMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    BaseViewSet,
):
    """Collaboration requests the caller sees (requester, requesting team, target department,
    all-scope roles); out of scope is 404."""

    permission_classes = [HasRole]
    queryset = CollaborationRequest.objects.select_related("requester").prefetch_related("attachments")
    serializer_class = RequestSerializer
    filterset_class = RequestFilter
    ordering_fields = ["created_at", "due_at", "id"]
    ordering = ["-created_at", "-id"]

    def service_create(self, data: dict) -> CollaborationRequest:
        return services.request_submit(actor=self.request.user, data=data)

    def _move(self, move: str, serializer=None):
        data = self.validated(serializer) if serializer else {}
        obj = services.request_move(actor=self.request.user, request=self.get_object(), move=move, **data)
        return self.represent(obj)

    @extend_schema(request=None, responses=MOVE_RESPONSES)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """A person of the target department accepts; the due timer starts."""
        return self._move("accept")

    @extend_schema(request=DeclineSerializer, responses=MOVE_RESPONSES)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """A person of the target department declines, with the reason."""
        return self._move("decline", DeclineSerializer)

    @extend_schema(request=CompleteSerializer, responses=MOVE_RESPONSES)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """A person of the target department completes, with the result."""
        return self._move("complete", CompleteSerializer)

    @extend_schema(request=CollaborationRateSerializer, responses=MOVE_RESPONSES)
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        """The requester rates the completed request once (1–5)."""
        return self._move("rate", CollaborationRateSerializer)

    @extend_schema(request=None, responses=MOVE_RESPONSES)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """The requester cancels a request not yet completed."""
        return self._move("cancel")


# --- meeting minutes ---------------------------------------------------------------------------


class ActionItemSerializer(StrictMixin, serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "minute",
            "description",
            "owner",
            "owner_name",
            "due_on",
            "status",
            "done_at",
            "version",
        ]
        read_only_fields = ["minute", "status", "done_at", "version"]


class NewActionItemSerializer(StrictMixin, serializers.Serializer):
    description = serializers.CharField(max_length=500)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    due_on = serializers.DateField()


class MinuteSerializer(StrictMixin, serializers.ModelSerializer):
    attendees = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), many=True, required=False
    )
    action_items = ActionItemSerializer(many=True, read_only=True)
    new_action_items = NewActionItemSerializer(many=True, required=False, write_only=True)

    class Meta:
        model = MeetingMinute
        fields = [
            "id",
            "title",
            "held_at",
            "place",
            "opportunity",
            "attendees",
            "external_attendees",
            "decisions",
            "created_by",
            "team",
            "action_items",
            "new_action_items",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_by", "team", "version", "created_at", "updated_at"]


@crud_schema("meeting minute", MinuteSerializer)
class MeetingMinuteViewSet(ServiceViewSet):
    """Meeting minutes the caller sees (author, attendees, action-item owners, the author's
    team, all-scope roles); writes through the services."""

    permission_classes = [HasRole]
    queryset = MeetingMinute.objects.select_related("created_by").prefetch_related(
        "attendees", "action_items__owner"
    )
    serializer_class = MinuteSerializer
    filterset_fields = ["opportunity", "created_by"]
    ordering_fields = ["held_at", "id"]
    ordering = ["-held_at", "-id"]

    def service_create(self, data: dict) -> MeetingMinute:
        attendees = data.pop("attendees", [])
        items = [dict(row) for row in data.pop("new_action_items", [])]
        return services.minute_create(
            actor=self.request.user, data=data, attendees=attendees, action_items=items
        )

    def service_update(self, instance, data: dict, *, expected_version: int | None) -> MeetingMinute:
        attendees = data.pop("attendees", None)
        items = [dict(row) for row in data.pop("new_action_items", [])]
        minute = services.minute_update(
            actor=self.request.user,
            minute=instance,
            data=data,
            attendees=attendees,
            expected_version=expected_version,
        )
        for row in items:
            services.action_item_add(actor=self.request.user, minute=minute, data=row)
        return minute

    @extend_schema(
        methods=["GET"],
        request=None,
        responses={200: ActionItemSerializer(many=True), **error_responses(*DETAIL_ERRORS)},
    )
    @extend_schema(
        methods=["POST"],
        request=NewActionItemSerializer,
        responses={201: ActionItemSerializer, **error_responses(*CHANGE_ERRORS)},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="action-items",
        filter_backends=[],
        pagination_class=None,
    )
    def action_items(self, request, pk=None):
        """The minute's action items; POST adds one (its owner is told, its timer starts)."""
        minute = self.get_object()
        if request.method == "POST":
            data = self.validated(NewActionItemSerializer)
            item = services.action_item_add(actor=request.user, minute=minute, data=data)
            return Response(ActionItemSerializer(item).data, status=status.HTTP_201_CREATED)
        items = minute.action_items.select_related("owner").order_by("due_on", "id")
        return Response(ActionItemSerializer(items, many=True).data)


class ActionItemFilter(django_filters.FilterSet):
    status = ChoicesFilter(choices=ActionStatus.choices)

    class Meta:
        model = ActionItem
        fields = ["status", "owner", "minute"]


class ActionItemQuerySetMixin:
    def get_queryset(self):
        visible = MeetingMinute.objects.visible_to(self.request.user).values("pk")
        return ActionItem.objects.filter(minute__in=visible).select_related("owner")


@extend_schema_view(
    list=extend_schema(
        summary="List action items",
        responses={200: ActionItemSerializer(many=True), **error_responses(400, *READ_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="Get an action item", responses={200: ActionItemSerializer, **error_responses(*DETAIL_ERRORS)}
    ),
    update=extend_schema(
        summary="Replace an action item",
        responses={200: ActionItemSerializer, **error_responses(*CHANGE_ERRORS)},
    ),
    partial_update=extend_schema(
        summary="Change an action item",
        responses={200: ActionItemSerializer, **error_responses(*CHANGE_ERRORS)},
    ),
    destroy=extend_schema(
        summary="Delete an action item", responses={204: None, **error_responses(*DETAIL_ERRORS)}
    ),
)
class ActionItemViewSet(
    ActionItemQuerySetMixin,
    ServiceUpdateMixin,
    ServiceDestroyMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    BaseViewSet,
):
    """Action items of the minutes the caller sees; add them through the minute."""

    permission_classes = [HasRole]
    queryset = ActionItem.objects.none()
    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilter
    ordering_fields = ["due_on", "id"]
    ordering = ["due_on", "id"]

    def service_update(self, instance, data: dict, *, expected_version: int | None) -> ActionItem:
        return services.action_item_update(
            actor=self.request.user, item=instance, data=data, expected_version=expected_version
        )

    def service_destroy(self, instance) -> None:
        services.action_item_remove(actor=self.request.user, item=instance)

    @extend_schema(request=None, responses={200: ActionItemSerializer, **error_responses(*CHANGE_ERRORS)})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """The owner (or an editor of the minutes) marks the item done; its timer is satisfied."""
        item = services.action_item_complete(actor=request.user, item=self.get_object())
        return self.represent(item)
