"""Tables of the opportunity list page (django-tables2; sorting with ``?sort=``)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opportunities.models import Opportunity
from presales.core.money import format_money


class OpportunityTable(tables.Table):
    title = tables.Column(linkify=True, verbose_name=pgettext_lazy("opportunity name", "Title"))
    customer = tables.Column(verbose_name=_("Customer"), order_by=("customer__name",))
    stage = tables.Column(verbose_name=_("Stage"))
    amount = tables.Column(verbose_name=_("Amount"), attrs={"td": {"class": "text-end"}})
    expected_close = tables.DateColumn(verbose_name=_("Expected close"), format="Y-m-d")
    sales_owner = tables.Column(verbose_name=_("Sales owner"))
    presales_owner = tables.Column(verbose_name=_("Presales owner"))
    team = tables.Column(verbose_name=_("Team"))
    stage_entered_at = tables.Column(verbose_name=_("Days in stage"))

    class Meta:
        model = Opportunity
        template_name = "django_tables2/bootstrap5.html"
        fields = (
            "title",
            "customer",
            "stage",
            "amount",
            "expected_close",
            "sales_owner",
            "presales_owner",
            "team",
            "stage_entered_at",
        )
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "opportunity-table"}
        order_by = ("stage_entered_at",)
        empty_text = _("No opportunities match these filters.")

    def render_amount(self, value, record) -> str:
        return format_money(value, record.currency)

    def render_stage(self, value, record) -> str:
        return format_html('<span class="badge text-bg-secondary stage-{}">{}</span>', record.stage, value)

    def render_stage_entered_at(self, value, record) -> int:
        return record.days_in_stage
