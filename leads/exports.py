"""CSV exports of leads and customers (R-CUST-6), registered in presales.exports.services from
``LeadsConfig.ready``.

One builder per resource serves the web button, the API and background jobs alike: the
rows are the resource's FilterSet (the one its list page and API use) applied to what the
user may see, and contact details are masked per row where the user has no contact access.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leads import selectors
from leads.filtersets import CustomerFilterSet, LeadFilterSet
from leads.models import Customer, Lead
from presales.core.scoping import mask_email, mask_phone
from presales.exports.batches import iterate_in_batches
from presales.exports.registry import Params, register_exporter
from presales.exports.services import CHUNK_ROWS, filter_rows


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _str(value) -> str:
    return str(value) if value is not None else ""


def _number(value):
    """A number stays a number in the CSV (a negative amount is not text to neutralise)."""
    return value if value is not None else ""


def contact_details(access: bool, phone: str, email: str) -> tuple[str, str]:
    """Phone and email as this viewer may read them (R-CUST-6): in full, or masked."""
    if access:
        return phone, email
    return mask_phone(phone), mask_email(email)


# --- leads ---------------------------------------------------------------------------------


def lead_header() -> list[str]:
    return [
        _("ID"),
        _("Company"),
        _("Contact"),
        _("Contact title"),
        _("Phone"),
        _("Email"),
        _("Source channel"),
        _("Status"),
        _("Industry"),
        _("Budget (CNY)"),
        _("Timing"),
        _("Received at"),
        _("First contact due"),
        _("First contacted at"),
        _("Team"),
        _("Sales owner"),
        _("Presales engineer"),
        _("Customer"),
    ]


def lead_row(lead: Lead) -> list:
    """One lead; needs ``contact_access`` and the relations of ``leads_for_list``."""
    phone, email = contact_details(lead.contact_access, lead.phone, lead.email)
    return [
        lead.pk,
        lead.company_name,
        lead.contact_name,
        lead.contact_title,
        phone,
        email,
        lead.get_source_display(),
        lead.get_status_display(),
        lead.get_industry_display() if lead.industry else "",
        _number(lead.budget),
        lead.timing,
        _when(lead.received_at),
        _when(lead.first_contact_due_at),
        _when(lead.first_contacted_at),
        _str(lead.team),
        _str(lead.owner),
        _str(lead.presales_owner),
        _str(lead.customer),
    ]


def build_leads(user, params: Params) -> tuple[list[str], Iterator[list], int]:
    """The leads ``user`` sees, filtered by LeadFilterSet, newest received first."""
    queryset = filter_rows(
        LeadFilterSet, selectors.leads_for_list(Lead.objects.visible_to(user), user), params, user=user
    )
    rows = (lead_row(lead) for lead in iterate_in_batches(queryset, CHUNK_ROWS))
    return lead_header(), rows, queryset.count()


# --- customers -----------------------------------------------------------------------------


def customer_header() -> list[str]:
    return [
        _("ID"),
        _("Company name"),
        _("Industry"),
        _("Grade"),
        _("Tier"),
        _("Size class"),
        _("Employees"),
        _("Annual revenue (CNY)"),
        _("Region"),
        _("Need tags"),
        _("Team"),
        _("Sales owner"),
        _("Primary presales"),
        _("Contacts"),
    ]


def customer_contacts(customer: Customer) -> str:
    """The customer's contacts in one cell: "name (title) phone email; ..."."""
    people = []
    for contact in customer.contacts.all():
        phone, email = contact_details(customer.contact_access, contact.phone, contact.email)
        title = f"({contact.title})" if contact.title else ""
        people.append(" ".join(part for part in (contact.name, title, phone, email) if part))
    return "; ".join(people)


def customer_row(customer: Customer) -> list:
    """One customer; needs the annotation and prefetches of ``customers_for_export``."""
    return [
        customer.pk,
        customer.name,
        customer.get_industry_display(),
        customer.grade,
        customer.get_tier_display(),
        customer.get_size_class_display(),
        _number(customer.employees),
        _number(customer.annual_revenue),
        customer.region,
        ", ".join(tag.name for tag in customer.need_tags.all()),
        _str(customer.team),
        _str(customer.owner),
        _str(customer.primary_presales),
        customer_contacts(customer),
    ]


def build_customers(user, params: Params) -> tuple[list[str], Iterator[list], int]:
    """The customers ``user`` sees, filtered by CustomerFilterSet, by name."""
    queryset = filter_rows(
        CustomerFilterSet,
        selectors.customers_for_export(Customer.objects.visible_to(user), user),
        params,
        user=user,
    ).order_by("name", "pk")
    rows = (customer_row(customer) for customer in iterate_in_batches(queryset, CHUNK_ROWS))
    return customer_header(), rows, queryset.count()


def register() -> None:
    register_exporter("leads", gettext_lazy("Leads"), build_leads)
    register_exporter("customers", gettext_lazy("Customers"), build_customers)
