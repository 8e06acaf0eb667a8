"""django-tables2 tables of the list pages (sortable with ``?sort=``, paginated)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from leads.models import Customer, Lead
from leads.templatetags.leads_ui import contact_detail, lead_status_badge

# Sort and page links are boosted by the list page (htmx swaps just the table); links to
# records in the rows are plain navigation.
TABLE_ATTRS = {
    "class": "table table-sm table-hover align-middle bg-white mb-2",
    "tbody": {"hx-boost": "false"},
}


def person_column(name: str) -> tables.Column:
    return tables.Column(order_by=(f"{name}__display_name", f"{name}__username"))


TEMPLATE = "django_tables2/bootstrap5.html"


class LeadTable(tables.Table):
    """Leads with their first-contact deadline (R-LEAD-3); phone masked without access (R-CUST-6)."""

    company_name = tables.Column(linkify=True, attrs={"td": {"data-col": "company"}})
    contact_name = tables.Column()
    phone = tables.Column(orderable=False)
    source = tables.Column()
    status = tables.Column()
    first_contact = tables.TemplateColumn(
        template_code="{% load leads_ui %}{% first_contact_badge record %}",
        verbose_name=_("First contact"),
        order_by=("first_contacted_at", "first_contact_due_at"),
        accessor="first_contact_due_at",
    )
    received_at = tables.DateTimeColumn(format="Y-m-d H:i")
    team = tables.Column(order_by=("team__name",))
    owner = person_column("owner")
    presales_owner = person_column("presales_owner")

    class Meta:
        model = Lead
        fields = (
            "company_name",
            "contact_name",
            "phone",
            "source",
            "status",
            "first_contact",
            "received_at",
            "team",
            "owner",
            "presales_owner",
        )
        attrs = {**TABLE_ATTRS, "data-testid": "lead-table"}
        template_name = TEMPLATE
        empty_text = _("No leads match these filters.")
        row_attrs = {"data-lead": lambda record: record.pk}

    def render_phone(self, value, record):
        return contact_detail(value, record.contact_access, "phone")

    def render_status(self, value, record):
        return lead_status_badge(record)


class CustomerTable(tables.Table):
    """Customers with grade, tier, size class and the primary presales engineer (R-CUST-2..5)."""

    name = tables.Column(linkify=True)
    industry = tables.Column()
    grade = tables.Column()
    tier = tables.Column()
    size_class = tables.Column()
    region = tables.Column()
    team = tables.Column(order_by=("team__name",))
    owner = person_column("owner")
    primary_presales = tables.Column(
        verbose_name=_("Primary presales"), accessor="primary_presales", orderable=False, empty_values=()
    )

    class Meta:
        model = Customer
        fields = (
            "name",
            "industry",
            "grade",
            "tier",
            "size_class",
            "region",
            "team",
            "owner",
            "primary_presales",
        )
        attrs = {**TABLE_ATTRS, "data-testid": "customer-table"}
        template_name = TEMPLATE
        empty_text = _("No customers match these filters.")
        row_attrs = {"data-customer": lambda record: record.pk}

    def render_grade(self, value, record):
        return format_html(
            '<span class="badge text-bg-{}" title="{}">{}</span>',
            _grade_style(record.grade),
            value,
            record.grade,
        )

    def render_primary_presales(self, value, record):
        return str(value) if value else "—"


def _grade_style(grade: str) -> str:
    return {"A": "danger", "B": "warning", "C": "secondary"}.get(grade, "secondary")
