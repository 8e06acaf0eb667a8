"""One FilterSet per training model for the list page and the API (R-KPI-1): person, year,
kind; records also by date (``held_from`` inclusive, ``held_until`` exclusive)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from kpi.models import TrainingPlan, TrainingRecord
from kpi.models.training import TrainingDirection, TrainingResult
from presales.core.filters import ChoicesFilter


class TrainingPlanFilterSet(django_filters.FilterSet):
    person = django_filters.NumberFilter(label=_("Person (id)"), field_name="person_id")
    year = django_filters.NumberFilter(label=_("Year"), field_name="year", min_value=2000, max_value=2100)

    class Meta:
        model = TrainingPlan
        fields: list[str] = []


class TrainingRecordFilterSet(django_filters.FilterSet):
    person = django_filters.NumberFilter(label=_("Person (id)"), field_name="person_id")
    year = django_filters.NumberFilter(
        label=_("Year"), field_name="held_on__year", min_value=2000, max_value=2100
    )
    direction = ChoicesFilter(label=_("Kind"), choices=TrainingDirection.choices)
    result = ChoicesFilter(label=_("Result"), choices=TrainingResult.choices)
    held_from = django_filters.DateFilter(label=_("From"), field_name="held_on", lookup_expr="gte")
    held_until = django_filters.DateFilter(label=_("Before"), field_name="held_on", lookup_expr="lt")

    class Meta:
        model = TrainingRecord
        fields: list[str] = []
