"""The retrospectives' list table (django-tables2)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from kpi.models import Retrospective


class RetrospectiveTable(tables.Table):
    opportunity = tables.Column(
        verbose_name=_("Opportunity"),
        linkify=lambda record: record.get_absolute_url(),
        order_by=("opportunity__title",),
    )
    customer = tables.Column(verbose_name=_("Customer"), accessor="opportunity__customer", orderable=False)
    outcome = tables.Column(verbose_name=_("Outcome"))
    status = tables.Column(verbose_name=_("Status"))
    closed_at = tables.DateColumn(verbose_name=_("Closed"), format="Y-m-d")
    due_on = tables.DateColumn(verbose_name=_("Due on"), format="Y-m-d")
    held_on = tables.DateColumn(verbose_name=_("Held on"), format="Y-m-d")
    presales_owner = tables.Column(
        verbose_name=_("Presales owner"), accessor="opportunity__presales_owner", orderable=False
    )
    success_case_proposed = tables.BooleanColumn(verbose_name=_("Success case"))

    class Meta:
        model = Retrospective
        template_name = "django_tables2/bootstrap5.html"
        fields = (
            "opportunity",
            "customer",
            "outcome",
            "status",
            "closed_at",
            "due_on",
            "held_on",
            "presales_owner",
            "success_case_proposed",
        )
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "retrospective-table"}
        order_by = ("-closed_at",)
