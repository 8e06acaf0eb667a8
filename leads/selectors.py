"""Reads across relations for the leads pages (R-LEAD, R-CUST, R-COMM).

What each page joins and prefetches is decided here once, so list pages keep a constant
number of queries whatever the page size. Visibility is applied by the base views
(``visible_to``); these functions take the already scoped queryset or object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.erasure import can_erase
from leads.models import (
    CommunicationRecord,
    Contact,
    Customer,
    CustomerPresales,
    CustomerQuerySet,
    Lead,
    LeadQuerySet,
    LeadStatusChange,
    MergeRecord,
)
from leads.panels import detail_panels
from leads.services import can_edit_customer
from leads.transitions import LEAD_MACHINE, can_work_lead
from presales.accounts import selectors as people
from presales.accounts.models import Team, User
from presales.core.audit import Entry, HistoryPage, history_page
from presales.core.roles import WRITER_ROLES, Scope, scope_of
from presales.core.scoping import mask_email, mask_phone
from presales.core.windows import Window, more_url, newest_window

if TYPE_CHECKING:  # django-stubs-ext is a development requirement
    from django_stubs_ext import WithAnnotations


class ContactAccess(TypedDict):
    """What ``with_contact_access`` annotates: may the user see unmasked contact details?"""

    contact_access: bool


LEAD_RELATIONS = ("team", "owner", "presales_owner", "customer")
CUSTOMER_RELATIONS = ("team", "owner")


def _presales_prefetch() -> Prefetch:
    return Prefetch(
        "presales_assignments",
        queryset=CustomerPresales.objects.select_related("user").order_by("-is_primary", "created_at"),
    )


# --- choices offered by forms --------------------------------------------------------------


def teams_for(user: User) -> QuerySet[Team]:
    """Teams a user may file records under: all for all-scope roles, else their own."""
    if scope_of(user) == Scope.ALL:
        return Team.objects.all()
    return Team.objects.filter(pk__in=user.team_ids)


def writers() -> QuerySet[User]:
    """Active users who may own customers and leads."""
    return people.writers()


def presales_people() -> QuerySet[User]:
    """Active presales engineers and managers (R-CUST-5: only they can be the presales owner)."""
    return people.presales_people()


# --- leads ---------------------------------------------------------------------------------


def leads_for_list(queryset: LeadQuerySet, user: User) -> LeadQuerySet:
    """The lead table and its export: facts of the related rows, contact access per row."""
    return queryset.with_contact_access(user).select_related(*LEAD_RELATIONS)


def lead_for_detail(queryset: LeadQuerySet, user: User) -> LeadQuerySet:
    return queryset.with_contact_access(user).select_related(
        *LEAD_RELATIONS, "merged_into", "duplicate_override_by"
    )


MOVE_URLS = {
    "record_first_contact": "leads:lead_first_contact",
    "qualify": "opportunities:qualify_lead",
    "disqualify": "leads:lead_disqualify",
    "merge": "leads:lead_merge",
}


@dataclass
class Action:
    """A lifecycle move offered on a page: a button, or a disabled one with the reasons."""

    name: str
    label: str
    url: str
    style: str
    reasons: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.reasons


def lead_actions(lead: Lead, user: User) -> list[Action]:
    """The next moves from LEAD_MACHINE.options for this user, as buttons."""
    return [
        Action(
            name=option.move.name,
            label=str(option.move.label),
            url=reverse(MOVE_URLS[option.move.name], args=[lead.pk]),
            style=option.move.style,
            reasons=option.reasons,
        )
        for option in LEAD_MACHINE.options(lead, user)
        if option.move.name in MOVE_URLS
    ]


# R-COMM-2: a timeline shows each record's participants (two queries per window).
COMMUNICATION_PEOPLE = ("participant_users", "participant_contacts")


def lead_communications(lead: Lead, before: str | None = None) -> Window[CommunicationRecord]:
    """A window of the lead's communications, newest first (issue 9: a lead with thousands
    of records shows the newest and a link to the older ones)."""
    return newest_window(
        lead.communications.select_related("author", "contact", "customer").prefetch_related(
            *COMMUNICATION_PEOPLE
        ),
        field="occurred_at",
        before=before,
    )


def mask_history(entries: list[Entry], access: bool) -> list[Entry]:
    """R-CUST-6: the audit trail must not reveal the phone numbers and emails the page masks."""
    if access:
        return entries
    masks: dict[str, Callable[[str], str]] = {}
    for model in (Lead, Contact):
        masks[str(model._meta.get_field("phone").verbose_name)] = mask_phone
        masks[str(model._meta.get_field("email").verbose_name)] = mask_email
    for entry in entries:
        for change in entry.changes:
            mask = masks.get(change.field)
            if mask is not None:
                change.old = mask(change.old) if change.old not in ("", "—") else change.old
                change.new = mask(change.new) if change.new not in ("", "—") else change.new
    return entries


def lead_status_history(lead: Lead) -> QuerySet[LeadStatusChange]:
    """The lead's status changes, newest first, with who made them (R-LEAD-2, R-LEAD-4)."""
    return lead.status_changes.select_related("actor")


def lead_history(lead: Lead, *, access: bool, before: datetime | None = None) -> HistoryPage:
    """A window of the audit trail of the lead and its communications (contact details
    masked without access)."""
    page = history_page(
        lead.history.all(), CommunicationRecord.history.filter(lead_id=lead.pk), before=before
    )
    mask_history(page.entries, access)
    return page


def lead_page(lead: WithAnnotations[Lead, ContactAccess], user: User) -> dict[str, Any]:
    """Everything the lead detail page shows besides the lead's own facts."""
    merged_into_visible = (
        lead.merged_into_id is not None
        and Lead.objects.visible_to(user).filter(pk=lead.merged_into_id).exists()
    )
    can_write = can_work_lead(user, lead)
    communications = lead_communications(lead)
    history = lead_history(lead, access=lead.contact_access)
    return {
        # No move buttons for who may not work the lead (issue 8), blocked or not.
        "actions": lead_actions(lead, user) if can_write else [],
        "can_edit": lead.is_open and can_write,
        "can_write": can_write,
        "communications": communications.items,
        "communications_more": more_url(
            reverse("leads:lead_communications", args=[lead.pk]), communications.older
        ),
        "panels": detail_panels("lead", lead, user),
        "merged_from": list(
            MergeRecord.objects.filter(kind=MergeRecord.Kind.LEAD, target_id=lead.pk).select_related("actor")
        ),
        "merged_into_visible": merged_into_visible,
        "customer_visible": lead.customer_id is not None
        and Customer.objects.visible_to(user).filter(pk=lead.customer_id).exists(),
        "status_changes": lead_status_history(lead),
        "history": history.entries,
        "history_more": more_url(reverse("leads:lead_history", args=[lead.pk]), history.older),
    }


def first_contact_summary(user: User, now: datetime | None = None) -> dict[str, Any] | None:
    """Dashboard panel: my open leads still waiting for their first contact (R-LEAD-3)."""
    if not user.has_role(*WRITER_ROLES):
        return None
    now = now or timezone.now()
    pending = (
        Lead.objects.visible_to(user).filter(Q(owner=user) | Q(presales_owner=user)).first_contact_pending()
    )
    counts = pending.aggregate(
        due=Count("pk", filter=Q(first_contact_due_at__gt=now)),
        overdue=Count("pk", filter=Q(first_contact_due_at__lte=now)),
    )
    lead_list = reverse("leads:lead_list")
    return {
        "key": "leads_first_contact",
        "title": _("My leads awaiting first contact"),
        "icon": "inbox",
        "template": "leads/partials/dashboard_first_contact.html",
        "due": counts["due"],
        "overdue": counts["overdue"],
        "leads": list(pending.select_related("team").order_by("first_contact_due_at", "pk")[:5]),
        # The links list the same rows as the counts: mine, pending, due or overdue.
        "due_url": f"{lead_list}?mine=true&first_contact=due",
        "overdue_url": f"{lead_list}?mine=true&first_contact=overdue",
        "now": now,
    }


def overdue_first_contacts(user: User) -> int | None:
    """Navigation badge: my leads past the 24-hour first-contact deadline (one query)."""
    if not user.has_role(*WRITER_ROLES):
        return None
    count = (
        Lead.objects.visible_to(user)
        .filter(Q(owner=user) | Q(presales_owner=user))
        .first_contact_overdue()
        .count()
    )
    return count or None


# --- customers -----------------------------------------------------------------------------


def customers_for_list(queryset: CustomerQuerySet, user: User) -> CustomerQuerySet:
    return queryset.select_related(*CUSTOMER_RELATIONS).prefetch_related(_presales_prefetch())


def customers_for_export(queryset: CustomerQuerySet, user: User) -> CustomerQuerySet:
    return (
        customers_for_list(queryset, user)
        .with_contact_access(user)
        .prefetch_related(Prefetch("contacts", queryset=Contact.objects.order_by("name", "pk")), "need_tags")
    )


def customer_for_detail(queryset: CustomerQuerySet, user: User) -> CustomerQuerySet:
    return (
        queryset.with_contact_access(user)
        .select_related(*CUSTOMER_RELATIONS, "merged_into")
        .prefetch_related("need_tags", _presales_prefetch())
    )


def customer_history(customer: Customer, *, access: bool, before: datetime | None = None) -> HistoryPage:
    """A window of the audit trail of the customer, its contacts, presales assignments and
    communications (issue 9: newest first, a link to the older ones)."""
    page = history_page(
        customer.history.all(),
        Contact.history.filter(customer_id=customer.pk),
        CustomerPresales.history.filter(customer_id=customer.pk),
        CommunicationRecord.history.filter(customer_id=customer.pk),
        before=before,
    )
    mask_history(page.entries, access)
    return page


def customer_communications(customer: Customer, before: str | None = None) -> Window[CommunicationRecord]:
    """A window of the customer's communications, newest first (issue 9)."""
    return newest_window(
        customer.communications.select_related("author", "contact", "lead").prefetch_related(
            *COMMUNICATION_PEOPLE
        ),
        field="occurred_at",
        before=before,
    )


def customer_page(customer: WithAnnotations[Customer, ContactAccess], user: User) -> dict[str, Any]:
    """Everything the customer detail page shows besides the customer's own facts."""
    can_edit = customer.merged_into_id is None and can_edit_customer(user, customer)
    communications = customer_communications(customer)
    history = customer_history(customer, access=customer.contact_access)
    return {
        "can_edit": can_edit,
        "can_erase": can_erase(user),
        "contacts": list(customer.contacts.order_by("name", "pk")),
        "communications": communications.items,
        "communications_more": more_url(
            reverse("leads:customer_communications", args=[customer.pk]), communications.older
        ),
        "leads": list(
            Lead.objects.visible_to(user)
            .filter(customer=customer)
            .select_related("team", "owner")
            .order_by("-received_at", "-id")
        ),
        "panels": detail_panels("customer", customer, user),
        "merge_records": list(
            MergeRecord.objects.filter(kind=MergeRecord.Kind.CUSTOMER, target_id=customer.pk).select_related(
                "actor"
            )
        ),
        "merged_into_visible": customer.merged_into_id is not None
        and Customer.objects.visible_to(user).filter(pk=customer.merged_into_id).exists(),
        "history": history.entries,
        "history_more": more_url(reverse("leads:customer_history", args=[customer.pk]), history.older),
    }


def customer_presales(customer: Customer) -> list[CustomerPresales]:
    """Primary first, then assistants (R-CUST-5)."""
    return list(
        CustomerPresales.objects.filter(customer=customer)
        .select_related("user")
        .order_by("-is_primary", "created_at", "pk")
    )


OPPORTUNITY_TITLE_MAX = 200


def default_opportunity_title(lead: Lead) -> str:
    """The opportunity's title when the qualifier gives none: "<company> – <first line of the
    initial needs>", cut to the field's length (the company alone when there are no needs)."""
    needs = next((line.strip() for line in lead.initial_needs.splitlines() if line.strip()), "")
    title = f"{lead.company_name} – {needs}" if needs else lead.company_name
    return title if len(title) <= OPPORTUNITY_TITLE_MAX else title[: OPPORTUNITY_TITLE_MAX - 1].rstrip() + "…"
