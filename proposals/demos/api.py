"""/api/v1/demos/ and /api/v1/trial-requests/ (R-DEMO-1..3, R-SOL-5).

CRUD while a demo is a draft or scheduled (no DELETE: a demo ends cancelled, with its
reason); its status changes only through ``POST {id}/move/``, which answers 409 with the
gate's reasons. Checklist, feedback and the per-attendee .ics are actions. Trial requests:
create, change while draft or rejected, ``submit`` (to the review engine), ``withdraw``,
``returned``, ``cancel``. Querysets are scoped in the base mixin (another team's record is
404); every write calls proposals/demos/services.py.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from leads.models import Contact
from opportunities.models import Opportunity, opportunity_visibility_q
from presales.accounts.models import User
from presales.api.fields import PlausibleDatesMixin, ScopedPrimaryKeyRelatedField
from presales.api.schema import error_responses
from presales.api.serializers import StrictMixin
from presales.api.viewsets import CHANGE_ERRORS, ServiceViewSet, crud_schema
from presales.core.errors import DomainError
from proposals.demos import ics, selectors, services
from proposals.demos.filtersets import DemoFilterSet, TrialFilterSet
from proposals.demos.transitions import DEMO_MACHINE
from proposals.demos.views import attendee_of
from proposals.models import Demo, DemoChecklistItem, Requirement, SolutionVersion, TrialRequest


class _VisibleThrough(serializers.PrimaryKeyRelatedField):
    """A reference to a row of an opportunity the caller sees (``prefix`` names the path)."""

    def __init__(self, *, prefix: str, **kwargs: Any) -> None:
        self.prefix = prefix
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return super().get_queryset().none()
        return super().get_queryset().filter(opportunity_visibility_q(user, prefix=self.prefix))


class AgendaItemSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=500)
    requirements = _VisibleThrough(
        prefix="opportunity__", queryset=Requirement.objects.all(), many=True, required=False
    )


class ChecklistItemSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="display_label", read_only=True)
    done_by_name = serializers.SerializerMethodField()

    class Meta:
        model = DemoChecklistItem
        fields = ["id", "kind", "label", "done", "done_by", "done_by_name", "done_at"]
        read_only_fields = fields

    def get_done_by_name(self, obj) -> str | None:
        return str(obj.done_by) if obj.done_by_id else None


class DemoSerializer(StrictMixin, PlausibleDatesMixin, serializers.ModelSerializer):
    """A demo (R-DEMO-1). ``status`` and the feedback are read-only here: the status changes
    through ``POST {id}/move/``, the feedback through ``POST {id}/feedback/``."""

    read_only_messages = {"status": _("The status changes only through POST …/move/.")}

    opportunity = ScopedPrimaryKeyRelatedField(queryset=Opportunity.objects.all())
    solution_version = _VisibleThrough(
        prefix="solution__opportunity__",
        queryset=SolutionVersion.objects.all(),
        help_text=_("An approved version of the opportunity's solution (R-SOL-5)."),
    )
    our_attendees = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), many=True, required=False
    )
    customer_attendees = ScopedPrimaryKeyRelatedField(
        queryset=Contact.objects.all(), many=True, required=False
    )
    agenda = serializers.SerializerMethodField()
    agenda_items = AgendaItemSerializer(many=True, required=False, write_only=True, source="agenda_input")
    checklist = ChecklistItemSerializer(many=True, read_only=True)
    checklist_done = serializers.IntegerField(read_only=True)
    checklist_total = serializers.IntegerField(read_only=True)
    attendee_keys = serializers.SerializerMethodField()

    class Meta:
        model = Demo
        fields = [
            "id",
            "opportunity",
            "solution_version",
            "title",
            "starts_at",
            "duration_minutes",
            "location",
            "online_link",
            "our_attendees",
            "customer_attendees",
            "agenda",
            "agenda_items",
            "checklist",
            "checklist_done",
            "checklist_total",
            "status",
            "sequence",
            "created_by",
            "started_at",
            "ended_at",
            "outcome",
            "outcome_note",
            "questions",
            "objections",
            "next_step",
            "next_step_date",
            "feedback_at",
            "feedback_by",
            "attendee_keys",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "sequence",
            "created_by",
            "started_at",
            "ended_at",
            "outcome",
            "outcome_note",
            "questions",
            "objections",
            "next_step",
            "next_step_date",
            "feedback_at",
            "feedback_by",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_agenda(self, obj) -> list[dict[str, Any]]:
        return [
            {"text": item.text, "requirements": [r.pk for r in item.requirements.all()]}
            for item in obj.agenda.all()
        ]

    def get_attendee_keys(self, obj) -> list[str]:
        """The keys of ``GET {id}/ics/{attendee}/``: ``user-<id>``, ``contact-<id>``."""
        return [f"user-{u.pk}" for u in obj.our_attendees.all()] + [
            f"contact-{c.pk}" for c in obj.customer_attendees.all()
        ]


class DemoUpdateSerializer(DemoSerializer):
    opportunity = serializers.PrimaryKeyRelatedField(read_only=True)


def _service_kwargs(data: dict) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if "our_attendees" in data:
        kwargs["our_attendees"] = list(data.pop("our_attendees"))
    if "customer_attendees" in data:
        kwargs["customer_attendees"] = list(data.pop("customer_attendees"))
    if "agenda_input" in data:
        kwargs["agenda"] = [dict(item) for item in data.pop("agenda_input")]
    return kwargs


class DemoMoveSerializer(serializers.Serializer):
    move = serializers.ChoiceField(choices=sorted(DEMO_MACHINE.moves))
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class DemoMoveOptionSerializer(serializers.Serializer):
    move = serializers.CharField(source="move.name")
    label = serializers.CharField(source="move.label")
    allowed = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


class ChecklistChangeSerializer(serializers.Serializer):
    """Tick or untick ``item``; or add an extra line ``label``."""

    item = serializers.IntegerField(required=False)
    done = serializers.BooleanField(required=False)
    label = serializers.CharField(required=False, max_length=200)

    def validate(self, attrs):
        if "item" in attrs and "done" not in attrs:
            raise serializers.ValidationError({"done": [_("Say whether the item is done.")]})
        if "item" not in attrs and not attrs.get("label"):
            raise serializers.ValidationError({"label": [_("Give an item to tick or a label to add.")]})
        return attrs


class DemoFeedbackSerializer(StrictMixin, serializers.ModelSerializer):
    class Meta:
        model = Demo
        fields = ["outcome", "outcome_note", "questions", "objections", "next_step", "next_step_date"]


class ICalendarRenderer(BaseRenderer):
    """``text/calendar`` for the invitation; errors asked for in this type read as JSON."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, ensure_ascii=False).encode()


@crud_schema("demo", DemoSerializer, update=DemoUpdateSerializer)
class DemoViewSet(ServiceViewSet):
    """Demos of the opportunities the caller sees (R-DEMO-1)."""

    queryset = selectors.demo_detail_queryset()
    serializer_class = DemoSerializer
    update_serializer_class = DemoUpdateSerializer
    filterset_class = DemoFilterSet
    ordering_fields = ["starts_at", "created_at", "id"]
    ordering = ["-starts_at", "-id"]

    def service_create(self, data: dict) -> Demo:
        opportunity = data.pop("opportunity")
        extra = _service_kwargs(data)
        return services.demo_create(actor=self.request.user, opportunity=opportunity, data=data, **extra)

    def service_update(self, instance, data: dict, *, expected_version: int | None) -> Demo:
        extra = _service_kwargs(data)
        return services.demo_update(
            actor=self.request.user, demo=instance, data=data, expected_version=expected_version, **extra
        )

    @extend_schema(
        request=DemoMoveSerializer,
        responses={200: DemoSerializer, **error_responses(*CHANGE_ERRORS)},
        description=str(
            _(
                "schedule, start, finish or cancel (reason required). Refused moves answer 409 "
                '{"code": "gate_refused", "reasons": [...]} (R-SOL-5, the checklist).'
            )
        ),
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        demo = self.get_object()
        data = self.validated(DemoMoveSerializer)
        services.demo_move(actor=request.user, demo=demo, move=data["move"], reason=data.get("reason", ""))
        return self.represent(demo)

    @extend_schema(
        filters=False, responses={200: DemoMoveOptionSerializer(many=True), **error_responses(401, 403, 404)}
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def moves(self, request, pk=None):
        """The moves the caller may make now, each with the reasons its gates give."""
        demo = self.get_object()
        return Response(DemoMoveOptionSerializer(DEMO_MACHINE.options(demo, request.user), many=True).data)

    @extend_schema(
        request=ChecklistChangeSerializer, responses={200: DemoSerializer, **error_responses(*CHANGE_ERRORS)}
    )
    @action(detail=True, methods=["post"])
    def checklist(self, request, pk=None):
        """Tick or untick a checklist line (``item``, ``done``) or add one (``label``)."""
        demo = self.get_object()
        data = self.validated(ChecklistChangeSerializer)
        if "item" in data:
            item = DemoChecklistItem.objects.filter(demo=demo, pk=data["item"]).first()
            if item is None:
                raise DomainError(fields={"item": [_("No such item on this demo.")]})
            services.demo_checklist_set(actor=request.user, item=item, done=data["done"])
        else:
            services.demo_checklist_add(actor=request.user, demo=demo, label=data["label"])
        return self.represent(demo)

    @extend_schema(
        request=DemoFeedbackSerializer, responses={200: DemoSerializer, **error_responses(*CHANGE_ERRORS)}
    )
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        """R-DEMO-2: outcome, questions, objections, next step (a demo that is done)."""
        demo = self.get_object()
        data = self.validated(DemoFeedbackSerializer)
        services.demo_record_feedback(actor=request.user, demo=demo, data=data)
        return self.represent(demo)

    @extend_schema(
        filters=False,
        parameters=[
            OpenApiParameter(
                "attendee",
                str,
                OpenApiParameter.PATH,
                description="user-<id> or contact-<id> (attendee_keys)",
            )
        ],
        responses={
            (200, "text/calendar"): OpenApiResponse(OpenApiTypes.BINARY, description="RFC 5545 invitation"),
            **error_responses(401, 403, 404),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        pagination_class=None,
        url_path=r"ics/(?P<attendee>(?:user|contact)-[0-9]+)",
        renderer_classes=[JSONRenderer, ICalendarRenderer],
    )
    def ics(self, request, pk=None, attendee: str = ""):
        """The .ics invitation of one attendee (``user-<id>`` or ``contact-<id>``, listed in
        the demo's ``attendee_keys``)."""
        demo = self.get_object()
        key = attendee
        _kind, person = attendee_of(demo, key)
        language = getattr(person, "language", "") or None
        response = HttpResponse(
            ics.demo_ics(demo, language=language), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="demo-{demo.pk}-{key}.ics"'
        return response


# --- trial requests -------------------------------------------------------------------------


class TrialSerializer(StrictMixin, serializers.ModelSerializer):
    """A trial, POC or demo-equipment loan (R-DEMO-3). The status is read-only."""

    read_only_messages = {"status": _("The status changes only through the request's actions.")}
    opportunity = ScopedPrimaryKeyRelatedField(queryset=Opportunity.objects.all())

    class Meta:
        model = TrialRequest
        fields = [
            "id",
            "opportunity",
            "kind",
            "items",
            "purpose",
            "period_start",
            "period_end",
            "return_date",
            "status",
            "requested_by",
            "submitted_at",
            "decided_at",
            "returned_at",
            "returned_by",
            "return_note",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "requested_by",
            "submitted_at",
            "decided_at",
            "returned_at",
            "returned_by",
            "return_note",
            "version",
            "created_at",
            "updated_at",
        ]


class TrialUpdateSerializer(TrialSerializer):
    opportunity = serializers.PrimaryKeyRelatedField(read_only=True)


class NoteSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


ACTION_SCHEMA = extend_schema(
    request=NoteSerializer, responses={200: TrialSerializer, **error_responses(*CHANGE_ERRORS)}
)


@crud_schema("trial request", TrialSerializer, update=TrialUpdateSerializer)
class TrialViewSet(ServiceViewSet):
    """Trial, POC and loan requests of the opportunities the caller sees (R-DEMO-3)."""

    queryset = selectors.trial_list_queryset()
    serializer_class = TrialSerializer
    update_serializer_class = TrialUpdateSerializer
    filterset_class = TrialFilterSet
    ordering_fields = ["created_at", "return_date", "id"]
    ordering = ["-created_at", "-id"]

    def service_create(self, data: dict) -> TrialRequest:
        opportunity = data.pop("opportunity")
        return services.trial_create(actor=self.request.user, opportunity=opportunity, data=data)

    def service_update(self, instance, data: dict, *, expected_version: int | None) -> TrialRequest:
        return services.trial_update(
            actor=self.request.user, trial=instance, data=data, expected_version=expected_version
        )

    @extend_schema(request=None, responses={200: TrialSerializer, **error_responses(*CHANGE_ERRORS)})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send for approval (the review chain of kind ``trial``)."""
        trial = services.trial_submit(actor=request.user, trial=self.get_object())
        return self.represent(trial)

    @ACTION_SCHEMA
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        data = self.validated(NoteSerializer)
        trial = services.trial_withdraw(
            actor=request.user, trial=self.get_object(), reason=data.get("reason", "")
        )
        return self.represent(trial)

    @ACTION_SCHEMA
    @action(detail=True, methods=["post"])
    def returned(self, request, pk=None):
        """The items are back: the return timer is met."""
        data = self.validated(NoteSerializer)
        trial = services.trial_mark_returned(
            actor=request.user, trial=self.get_object(), note=data.get("reason", "")
        )
        return self.represent(trial)

    @ACTION_SCHEMA
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = self.validated(NoteSerializer)
        trial = services.trial_cancel(
            actor=request.user, trial=self.get_object(), reason=data.get("reason", "")
        )
        return self.represent(trial)


def get_demo_or_404(user, pk: int) -> Demo:
    return get_object_or_404(Demo.objects.visible_to(user), pk=pk)
