"""Record builders of training (R-KPI-1) for the API contract and query-count tests:
``(admin, team, n) -> n records`` of ``admin`` (written directly; services tested beside)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from kpi.models import TrainingPlan, TrainingRecord


def training_plans(admin, team, n):
    year = timezone.localdate().year
    return [
        TrainingPlan.objects.create(
            person=admin, year=year, title=f"Plan {i}", planned_hours=Decimal("20"), created_by=admin
        )
        for i in range(n)
    ]


def training_records(admin, team, n):
    today = timezone.localdate()
    return [
        TrainingRecord.objects.create(
            person=admin, course=f"Course {i}", held_on=today, hours=Decimal("2"), recorded_by=admin
        )
        for i in range(n)
    ]


TRAINING_BUILDERS = {"kpi.trainingplan": training_plans, "kpi.trainingrecord": training_records}
