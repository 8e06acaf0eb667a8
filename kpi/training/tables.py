"""The training records' list table (django-tables2)."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kpi.models import TrainingRecord


class TrainingRecordTable(tables.Table):
    held_on = tables.DateColumn(verbose_name=_("Date"), format="Y-m-d")
    person = tables.Column(verbose_name=_("Person"), order_by=("person__username",))
    direction = tables.Column(verbose_name=_("Kind"))
    course = tables.Column(
        verbose_name=_("Course"), linkify=lambda record: reverse("kpi:training:record_edit", args=[record.pk])
    )
    hours = tables.Column(verbose_name=_("Hours"), attrs={"td": {"class": "text-end"}})
    result = tables.Column(verbose_name=_("Result"))
    exam_score = tables.Column(verbose_name=_("Score"))
    audience = tables.Column(verbose_name=_("Audience"))

    class Meta:
        model = TrainingRecord
        template_name = "django_tables2/bootstrap5.html"
        fields = ("held_on", "person", "direction", "course", "hours", "result", "exam_score", "audience")
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "training-table"}
        order_by = ("-held_on",)
