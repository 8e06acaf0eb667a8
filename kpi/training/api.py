"""/api/v1/training-plans/ and /api/v1/training-records/ (R-KPI-1): scoped (an engineer their
own, a presales manager their teams' people's, an administrator everyone's; out of scope is
404), filtered by person, year, kind and dates; create and update call the services, which
check who may record for whom and the rules (400 with the fields)."""

from __future__ import annotations

from typing import Any, cast

from rest_framework import serializers

from kpi.models import TrainingPlan, TrainingRecord
from kpi.models.training import TrainingDirection, TrainingResult
from kpi.training import services
from kpi.training.filtersets import TrainingPlanFilterSet, TrainingRecordFilterSet
from kpi.training.selectors import plans_for, records_for
from presales.accounts.models import User
from presales.api.serializers import StrictMixin
from presales.api.viewsets import ServiceViewSet, crud_schema

PLAN_READ = [
    "id",
    "person",
    "year",
    "title",
    "planned_hours",
    "courses",
    "created_by",
    "version",
    "created_at",
]
RECORD_READ = [
    "id",
    "person",
    "direction",
    "plan",
    "course",
    "provider",
    "held_on",
    "hours",
    "result",
    "exam_score",
    "reflection",
    "audience",
    "attendee_count",
    "recorded_by",
    "version",
    "created_at",
]


def _actor(request: Any) -> User:
    """The signed-in user (the base views and viewsets let no anonymous caller through)."""
    return cast(User, request.user)


class TrainingPlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrainingPlan
        fields = PLAN_READ
        read_only_fields = PLAN_READ


class TrainingRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrainingRecord
        fields = RECORD_READ
        read_only_fields = RECORD_READ


class TrainingPlanWriteSerializer(StrictMixin, serializers.Serializer):
    """``person`` left out: the caller's own plan."""

    person = serializers.IntegerField(required=False, min_value=1)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(max_length=200)
    planned_hours = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=0)
    courses = serializers.CharField(required=False, allow_blank=True)


class TrainingRecordWriteSerializer(StrictMixin, serializers.Serializer):
    """``person`` left out: the caller's own record (the trainer's, for training given)."""

    person = serializers.IntegerField(required=False, min_value=1)
    direction = serializers.ChoiceField(choices=TrainingDirection.choices)
    plan = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    course = serializers.CharField(max_length=200)
    provider = serializers.CharField(required=False, allow_blank=True, max_length=200)
    held_on = serializers.DateField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=1)
    result = serializers.ChoiceField(choices=TrainingResult.choices)
    exam_score = serializers.DecimalField(max_digits=5, decimal_places=1, required=False, allow_null=True)
    reflection = serializers.CharField(required=False, allow_blank=True)
    audience = serializers.CharField(required=False, allow_blank=True, max_length=200)
    attendee_count = serializers.IntegerField(required=False, allow_null=True, min_value=0)


@crud_schema(
    "training plan",
    TrainingPlanSerializer,
    create=TrainingPlanWriteSerializer,
    update=TrainingPlanWriteSerializer,
)
class TrainingPlanViewSet(ServiceViewSet):
    queryset = TrainingPlan.objects.all()
    serializer_class = TrainingPlanSerializer
    create_serializer_class = TrainingPlanWriteSerializer
    update_serializer_class = TrainingPlanWriteSerializer
    filterset_class = TrainingPlanFilterSet
    ordering_fields = ["year", "id"]
    ordering = ["-year", "-id"]

    def get_queryset(self):
        # Training has its own scope (the person's), not the records' team scope.
        return plans_for(self.request.user)

    def service_create(self, data: dict):
        return services.training_plan_create(actor=_actor(self.request), data=data)

    def service_update(self, instance, data: dict, *, expected_version: int | None):
        return services.training_plan_update(
            actor=_actor(self.request), plan=instance, data=data, expected_version=expected_version
        )


@crud_schema(
    "training record",
    TrainingRecordSerializer,
    create=TrainingRecordWriteSerializer,
    update=TrainingRecordWriteSerializer,
)
class TrainingRecordViewSet(ServiceViewSet):
    queryset = TrainingRecord.objects.all()
    serializer_class = TrainingRecordSerializer
    create_serializer_class = TrainingRecordWriteSerializer
    update_serializer_class = TrainingRecordWriteSerializer
    filterset_class = TrainingRecordFilterSet
    ordering_fields = ["held_on", "id"]
    ordering = ["-held_on", "-id"]

    def get_queryset(self):
        return records_for(self.request.user)

    def service_create(self, data: dict):
        return services.training_record_create(actor=_actor(self.request), data=data)

    def service_update(self, instance, data: dict, *, expected_version: int | None):
        return services.training_record_update(
            actor=_actor(self.request), record=instance, data=data, expected_version=expected_version
        )
