"""Write use cases for customers, contacts, leads and communications.

Every service is keyword-only, atomic, re-reads the row it changes with
``select_for_update()``, checks permission inside, validates, writes with the actor as the
audit author, and schedules side effects with ``transaction.on_commit``.

One writer per state: a lead's status only through ``_lead_move`` (checked against
``LEAD_MACHINE``, with its ``LeadStatusChange`` row); a customer's ``last_progress_at``
only through ``customer_record_progress`` (the opportunities app calls it too).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Greatest
from django.urls import NoReverseMatch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from leads import cadence, tiering
from leads.choices import (
    Channel,
    ContactSource,
    DecisionRole,
    DisqualifyReason,
    Grade,
    Industry,
    LeadStatus,
    SizeClass,
)
from leads.erasure import require_not_erased
from leads.models import (
    FIRST_CONTACT_TAKEN_OVER,
    MAX_NEED_TAGS,
    MERGED_INTO,
    OVERRIDE_REASON_MAX,
    CommunicationRecord,
    Contact,
    Customer,
    CustomerPresales,
    Lead,
    LeadStatusChange,
    MergeRecord,
    NeedTag,
    same_moment,
)
from leads.normalize import normalize_company, normalize_email, normalize_phone
from leads.transitions import LEAD_MACHINE, can_work_lead
from presales.accounts.models import User
from presales.core.errors import Conflict, DomainError, NotAllowed
from presales.core.locks import lock_keys
from presales.core.notes import SystemNote, note_fields, system_note
from presales.core.roles import PRESALES_ROLES, WRITER_ROLES, Role
from presales.core.scoping import mask_email, mask_phone
from presales.core.validators import CLOCK_SKEW
from presales.core.writes import (
    apply_fields,
    check_version,
    delete_as,
    ensure_still_visible,
    require_role,
    require_team,
    save_as,
    validate,
)
from presales.sla.calendar import compute_due
from presales.sla.defaults import COMMUNICATION_FOLLOW_UP, LEAD_FIRST_CONTACT
from presales.sla.models import Timer
from presales.sla.notifications import GRADE_CHANGE, notify
from presales.sla.selectors import active_policy
from presales.sla.services import (
    timer_cancel,
    timer_reassign,
    timer_restart,
    timer_satisfy,
    timer_start,
    timers_satisfy,
)

# --- rules -------------------------------------------------------------------------------


def grade_for(*, fit: int, value: int) -> str:
    """R-CUST-2: grade from fit × value (1–5 each): ≥16 A, ≥9 B, else C."""
    product = fit * value
    if product >= 16:
        return Grade.A
    if product >= 9:
        return Grade.B
    return Grade.C


def size_class_for(*, employees: int | None, annual_revenue: Decimal | None) -> str:
    """R-CUST-4 size class: large ≥ 1000 staff or ≥ ¥500M; small < 100 staff and < ¥20M."""
    employees = employees or 0
    revenue = annual_revenue or Decimal(0)
    if employees >= 1000 or revenue >= Decimal("500000000"):
        return SizeClass.LARGE
    if employees < 100 and revenue < Decimal("20000000"):
        return SizeClass.SMALL
    return SizeClass.MEDIUM


def can_edit_customer(actor: User, customer: Customer) -> bool:
    if not actor.has_role(*WRITER_ROLES):
        return False
    if actor.is_superuser or actor.has_role(Role.ADMIN):
        return True
    return (
        customer.team_id in actor.team_ids
        or customer.owner_id == actor.pk
        or customer.presales_assignments.filter(user_id=actor.pk).exists()
    )


def has_contact_access(user: User, obj: Lead | Customer | Contact) -> bool:
    """R-CUST-6: may ``user`` read the phone and email of ``obj`` (a lead, customer or
    contact) unmasked? Those who may not get them masked on every path: page, form, API,
    export."""
    if obj.pk is None:
        return True
    manager: Any = type(obj)._default_manager  # each of the three has ``with_contact_access``
    return bool(manager.with_contact_access(user).filter(pk=obj.pk, contact_access=True).exists())


def keep_hidden_contact_details(
    actor: User, obj: Lead | Customer | Contact, data: dict[str, Any]
) -> dict[str, Any]:
    """R-CUST-6: a writer without contact access was shown the phone and email masked; the
    masked text sent back (an edit form, an API round trip) keeps the stored value instead of
    overwriting it. A real new value is still applied."""
    if not ({"phone", "email"} & set(data)) or has_contact_access(actor, obj):
        return data
    data = dict(data)
    for name, mask in (("phone", mask_phone), ("email", mask_email)):
        current = getattr(obj, name) or ""
        if name in data and current and data[name] == mask(current):
            del data[name]
    return data


def _require_writer(actor: User) -> None:
    if not actor.has_role(*WRITER_ROLES):
        raise NotAllowed(_("Your role cannot create or change customer records."))


def _require_customer_edit(actor: User, customer: Customer) -> None:
    if not can_edit_customer(actor, customer):
        raise NotAllowed(_("You cannot change this customer."))


def _require_lead_edit(actor: User, lead: Lead) -> None:
    if not can_work_lead(actor, lead):
        raise NotAllowed(_("You cannot change this lead."))


def _require_not_merged(customer: Customer) -> None:
    """A merged customer is only a pointer to its survivor: nothing new is added to it."""
    if customer.merged_into_id:
        raise Conflict(_("This customer was merged into another one and can no longer change."))


def _require_presales_role(user: User | None, field_name: str) -> None:
    """R-CUST-5: only a presales engineer or manager owns the presales side (lead, customer)."""
    require_role(
        user, PRESALES_ROLES, field=field_name, message=_("Choose a presales engineer or presales manager.")
    )


def _require_owner_role(user: User | None, field_name: str = "owner") -> None:
    """The (sales) owner of a customer or lead is someone whose role writes them."""
    require_role(
        user,
        WRITER_ROLES,
        field=field_name,
        message=_("Choose someone whose role can own customers and leads."),
    )


def _changed(obj: models.Model, before: dict[str, Any], name: str) -> bool:
    attribute = f"{name}_id" if hasattr(obj, f"{name}_id") else name
    return getattr(obj, attribute) != before[name]


def customer_record_progress(*, customer_id: int | None, at: datetime | None) -> None:
    """The one writer of ``Customer.last_progress_at`` (R-CUST-3: it drives the monthly grade
    review): an interaction, a qualified lead, a stage move or a merge is progress at ``at``.
    Monotonic in the database (``Greatest``): a late-recorded older event never moves it back,
    and two concurrent writers cannot lose the later one. No customer: nothing happens."""
    if customer_id is None or at is None:
        return
    Customer.objects.filter(pk=customer_id).update(last_progress_at=Greatest("last_progress_at", at))


def _lead_move(
    lead: Lead,
    *,
    actor: User,
    move: str,
    note: str | SystemNote = "",
    at: datetime | None = None,
    **input: Any,
) -> LeadStatusChange:
    """The one door of a lead's status (R-LEAD-2, R-LEAD-4): check ``move`` in LEAD_MACHINE
    on the locked lead (permission, gates and the move's ``input``), write the status with
    the actor as audit author, and its LeadStatusChange row (who, when, from, to, move,
    note). The caller has set the lead's other facts of the move; they are saved with it."""
    checked = LEAD_MACHINE.check(lead, actor, move, **input)
    from_status = lead.status
    lead.status = checked.target
    save_as(lead, actor)
    return LeadStatusChange.objects.create(
        lead=lead,
        from_status=from_status,
        to_status=checked.target,
        move=move,
        actor=actor,
        **note_fields(note),
        at=at or timezone.now(),
    )


# --- duplicates (R-LEAD-2) ---------------------------------------------------------------


@dataclass
class Duplicates:
    """Existing records that look like the same company or person.

    ``company`` is the normalised company name searched for: a record matched on it tells
    the caller nothing they did not type, one matched only on a phone or email does."""

    leads: list[Lead] = field(default_factory=list)
    customers: list[Customer] = field(default_factory=list)
    company: str = ""

    def __bool__(self) -> bool:
        return bool(self.leads or self.customers)

    def as_dict(self, user: User) -> dict[str, Any]:
        """The matches as ``user`` may learn them (R-LEAD-2 within R-CUST-6).

        A match is *shown* (id, name, status) only when ``user`` sees the record and either
        matched it on the company name they typed or may read its phone and email unmasked.
        Any other match, e.g. a phone that is masked for a legal, finance or GM viewer, is
        answered as "a possible duplicate exists in team X": no id, name or status, so the
        finder is no oracle for what the caller may not read. Intake still refuses it.
        """
        shown_leads = self._shown(Lead, self.leads, user, lambda x: x.company_normalized)
        shown_customers = self._shown(Customer, self.customers, user, lambda x: x.normalized_name)
        return {
            "leads": [
                {
                    "id": x.pk if x.pk in shown_leads else None,
                    "company_name": x.company_name if x.pk in shown_leads else "",
                    "status": x.status if x.pk in shown_leads else "",
                    "team": str(x.team),
                    "visible": x.pk in shown_leads,
                }
                for x in self.leads
            ],
            "customers": [
                {
                    "id": x.pk if x.pk in shown_customers else None,
                    "name": x.name if x.pk in shown_customers else "",
                    "team": str(x.team),
                    "visible": x.pk in shown_customers,
                }
                for x in self.customers
            ],
        }

    def _shown(
        self, model: Any, records: list[Any], user: User, company_of: Callable[[Any], str]
    ) -> set[int]:
        if not records:
            return set()
        rows = (
            model.objects.visible_to(user)
            .with_contact_access(user)
            .filter(pk__in=[x.pk for x in records])
            .values_list("pk", "contact_access")
        )
        by_company = {x.pk for x in records if self.company and company_of(x) == self.company}
        return {pk for pk, access in rows if access or pk in by_company}


def lead_find_duplicates(
    *,
    company_name: str = "",
    phone: str = "",
    email: str = "",
    exclude_lead: int | None = None,
    exclude_customer: int | None = None,
) -> Duplicates:
    """Open leads and active customers matching the normalised company, phone or email.

    Searches every team on purpose: a duplicate in another team is still a duplicate; the
    caller shows those without details (R-CUST-6).
    """
    company, phone_n, email_n = (
        normalize_company(company_name),
        normalize_phone(phone),
        normalize_email(email),
    )
    lead_q, contact_q = Q(pk__in=[]), Q(pk__in=[])
    customer_q = Q(pk__in=[])
    if company:
        lead_q |= Q(company_normalized=company)
        customer_q |= Q(normalized_name=company)
    if phone_n:
        lead_q |= Q(phone_normalized=phone_n)
        contact_q |= Q(phone_normalized=phone_n)
    if email_n:
        lead_q |= Q(email_normalized=email_n)
        contact_q |= Q(email_normalized=email_n)
    leads = Lead.objects.open().filter(lead_q).select_related("team")
    if exclude_lead:
        leads = leads.exclude(pk=exclude_lead)
    customers = (
        Customer.objects.active()
        .filter(customer_q | Q(pk__in=Contact.objects.filter(contact_q).values("customer_id")))
        .select_related("team")
    )
    if exclude_customer:
        customers = customers.exclude(pk=exclude_customer)
    return Duplicates(leads=list(leads[:20]), customers=list(customers[:20]), company=company)


def duplicate_lock_keys(*, company_name: str = "", phone: str = "", email: str = "") -> list[str]:
    """The advisory lock keys of a company, phone and email (R-LEAD-2): every writer that
    checks for duplicates of these takes them first (``presales.core.locks.lock_keys``), so
    two intakes of the same company cannot both see "no duplicate" and both insert."""
    company, phone_n, email_n = (
        normalize_company(company_name),
        normalize_phone(phone),
        normalize_email(email),
    )
    return [
        f"leads:company:{company}" if company else "",
        f"leads:phone:{phone_n}" if phone_n else "",
        f"leads:email:{email_n}" if email_n else "",
    ]


def _require_override_reason(allow_duplicate: bool, reason: str) -> None:
    """R-LEAD-2: "create anyway" says why, in a sentence or two."""
    if not allow_duplicate:
        return
    if not (reason or "").strip():
        raise DomainError(
            fields={"duplicate_override_reason": [_("Say why this is not a duplicate of the records found.")]}
        )
    if len(reason) > OVERRIDE_REASON_MAX:
        raise DomainError(
            fields={
                "duplicate_override_reason": [
                    _("Keep the reason under %(limit)d characters.") % {"limit": OVERRIDE_REASON_MAX}
                ]
            }
        )


def _check_lead_duplicates(
    lead: Lead,
    actor: User,
    *,
    allow_duplicate: bool,
    reason: str,
    company_name: str = "",
    phone: str = "",
    email: str = "",
) -> None:
    """R-LEAD-2, on intake and on every edit of the matching facts: refuse (409 with the
    candidates) or, when the caller confirmed with a reason, record who kept it and why.
    The caller holds the advisory locks of these keys."""
    duplicates = lead_find_duplicates(
        company_name=company_name,
        phone=phone,
        email=email,
        exclude_lead=lead.pk,
        # A lead the caller already linked to a customer is not a duplicate of that customer.
        exclude_customer=lead.customer_id,
    )
    if not duplicates:
        return
    if not allow_duplicate:
        raise Conflict(
            _("This lead looks like an existing record. Merge it, or confirm to create it anyway."),
            code="duplicate",
            extra={"duplicates": duplicates.as_dict(actor)},
        )
    lead.duplicate_override_reason = reason.strip()
    lead.duplicate_override_by = actor
    lead.duplicate_override_at = timezone.now()


def _require_unique_customer_name(customer: Customer, actor: User) -> None:
    """R-LEAD-2: one active customer per normalised company name (the caller holds the
    name's advisory lock; the partial unique constraint backs this up)."""
    normalized = normalize_company(customer.name)
    if not normalized:
        return
    matches = list(
        Customer.objects.active()
        .filter(normalized_name=normalized)
        .exclude(pk=customer.pk)
        .select_related("team")[:20]
    )
    if matches:
        raise Conflict(
            _("A customer with this company name already exists: use it, or merge the records."),
            code="duplicate",
            extra={"duplicates": Duplicates(customers=matches, company=normalized).as_dict(actor)},
        )


# --- customers ---------------------------------------------------------------------------


# What each use case may write, in display order: the one declaration the web forms and the
# API serializers derive their field lists from (leads/forms.py, leads/api/serializers.py).
CUSTOMER_FIELDS = (
    "name",
    "industry",
    "employees",
    "annual_revenue",
    "region",
    "address",
    "website",
    "fit_score",
    "value_score",
    "grade",
    "grade_reason",
    "tier",
    "tier_override_reason",
    "size_class",
    "team",
    "owner",
    "notes",
)
# Grade and size class are derived unless given (R-CUST-2, R-CUST-4): the web form offers
# them as "computed or explicit" choices of its own.
CUSTOMER_DERIVED_FIELDS = ("grade", "size_class")


def _grade_customer(customer: Customer, *, explicit_grade: str | None) -> None:
    computed = grade_for(fit=customer.fit_score or 1, value=customer.value_score or 1)
    if explicit_grade and explicit_grade != computed and not customer.grade_reason.strip():
        raise DomainError(
            fields={
                "grade_reason": [
                    _("Explain why the grade differs from the fit × value grade (%(grade)s).")
                    % {"grade": computed}
                ]
            }
        )
    customer.grade = explicit_grade or computed
    customer.graded_at = timezone.now()


@transaction.atomic
def customer_create(
    *,
    actor: User,
    data: dict[str, Any],
    need_tags: list[str] | None = None,
    primary_presales: User | None = None,
) -> Customer:
    """Create a customer owned by one of the actor's teams; grade from fit × value unless
    overridden with a reason. R-CUST-5: the customer starts with exactly one primary presales
    engineer: ``primary_presales``, else the creator when they hold a presales role."""
    return _create_customer(actor=actor, data=data, need_tags=need_tags, primary_presales=primary_presales)


def _create_customer(
    *,
    actor: User,
    data: dict[str, Any],
    need_tags: list[str] | None,
    primary_presales: User | None,
    inherited_team: int | None = None,
) -> Customer:
    _require_writer(actor)
    # Lock order: the name's advisory key, then rows (presales/core/locks.py). A second
    # active customer of the same company is refused (R-LEAD-2).
    lock_keys(*duplicate_lock_keys(company_name=data.get("name") or ""))
    if primary_presales is None and actor.roles.intersection(PRESALES_ROLES):
        primary_presales = actor
    if primary_presales is None:
        raise DomainError(fields={"primary_presales": [_("Name the customer's primary presales engineer.")]})
    _require_presales_role(primary_presales, "primary_presales")
    data = dict(data)
    explicit_grade = data.pop("grade", None)
    size_given = "size_class" in data and data["size_class"]
    customer = Customer()
    apply_fields(customer, data, CUSTOMER_FIELDS)
    if customer.team_id is None and actor.team_id:
        customer.team_id = actor.team_id
    if customer.owner_id is None:
        customer.owner = actor
    require_team(actor, customer.team_id, inherited=[inherited_team])
    _require_owner_role(customer.owner)
    if not size_given:
        customer.size_class = size_class_for(
            employees=customer.employees, annual_revenue=customer.annual_revenue
        )
    _grade_customer(customer, explicit_grade=explicit_grade)
    customer.normalized_name = normalize_company(customer.name)
    if need_tags is not None:
        customer.need_tag_names = clean_need_tags(need_tags)
    _require_unique_customer_name(customer, actor)
    validate(customer, exclude=["normalized_name"])
    save_as(customer, actor)
    if need_tags is not None:
        _sync_need_tags(customer)
    _assign_primary(customer, primary_presales, actor)
    cadence.cadence_sync(customer)
    ensure_still_visible(Customer.objects, customer, actor)
    return customer


@transaction.atomic
def customer_update(
    *,
    actor: User,
    customer: Customer,
    data: dict[str, Any],
    need_tags: list[str] | None = None,
    expected_version: int | None = None,
) -> Customer:
    """Edit a customer; the grade is recomputed when scores change (R-CUST-2). A new name
    matching another active customer is refused (R-LEAD-2)."""
    # Lock order: the name's advisory key, then the row (presales/core/locks.py).
    lock_keys(*duplicate_lock_keys(company_name=data.get("name") or ""))
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    _require_customer_edit(actor, customer)
    check_version(customer, expected_version)
    if customer.merged_into_id:
        raise Conflict(_("This customer was merged into another one and can no longer change."))
    data = dict(data)
    explicit_grade = data.pop("grade", None)
    scores_changed = any(k in data for k in ("fit_score", "value_score"))
    size_changed = any(k in data for k in ("employees", "annual_revenue")) and not data.get("size_class")
    before = {
        "team": customer.team_id,
        "owner": customer.owner_id,
        "grade": customer.grade,
        "tier": customer.tier,
    }
    apply_fields(customer, data, CUSTOMER_FIELDS)
    _check_tier(customer, changed=_changed(customer, before, "tier"))
    if _changed(customer, before, "team"):
        require_team(actor, customer.team_id)
    if _changed(customer, before, "owner"):
        _require_owner_role(customer.owner)
    if explicit_grade is not None or scores_changed:
        _grade_customer(customer, explicit_grade=explicit_grade)
    if need_tags is None and not customer.need_tag_names:
        # A customer saved before the tag list was a field: its history row gets the list.
        customer.need_tag_names = list(customer.need_tags.values_list("name", flat=True))
    if size_changed:
        # R-CUST-4: the size class follows the facts unless the same change sets it.
        customer.size_class = size_class_for(
            employees=customer.employees, annual_revenue=customer.annual_revenue
        )
    name_changed = customer.normalized_name != normalize_company(customer.name)
    customer.normalized_name = normalize_company(customer.name)
    if need_tags is not None:
        customer.need_tag_names = clean_need_tags(need_tags)
    if name_changed:
        _require_unique_customer_name(customer, actor)
    validate(customer, exclude=["normalized_name"])
    save_as(customer, actor)
    if need_tags is not None:
        _sync_need_tags(customer)
    if any(_changed(customer, before, name) for name in ("owner", "grade", "tier")):
        # R-CUST-7: the cadence follows the grade and tier, the timer its owner.
        cadence.cadence_sync(customer, reason=_("Grade, tier or owner changed"))
    ensure_still_visible(Customer.objects, customer, actor)
    return customer


def _check_tier(customer: Customer, *, changed: bool) -> None:
    """R-CUST-4: a tier set to something other than the suggestion says why; the suggested
    tier needs no reason (a stale one is cleared)."""
    if customer.suggested_tier and customer.tier == customer.suggested_tier:
        customer.tier_override_reason = ""
        return
    if not changed:
        return
    message = tiering.tier_override_error(
        tier=customer.tier, suggested=customer.suggested_tier, reason=customer.tier_override_reason
    )
    if message:
        raise DomainError(fields={"tier_override_reason": [message]})


@transaction.atomic
def customer_apply_suggested_tier(
    *, actor: User, customer: Customer, expected_version: int | None = None
) -> Customer:
    """R-CUST-4: take the suggested tier (the "apply" action of the customer page)."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    _require_customer_edit(actor, customer)
    check_version(customer, expected_version)
    _require_not_merged(customer)
    if not customer.suggested_tier:
        raise DomainError(fields={"tier": [_("There is no suggested tier yet.")]})
    return customer_update(actor=actor, customer=customer, data={"tier": customer.suggested_tier})


def clean_need_tags(names: list[str]) -> list[str]:
    """R-CUST-1: the need tag names, stripped and de-duplicated, at most MAX_NEED_TAGS of
    at most 50 characters each (a 400 on ``need_tags`` otherwise)."""
    cleaned = list(dict.fromkeys(n.strip() for n in names if n and n.strip()))
    limit = NeedTag._meta.get_field("name").max_length
    assert limit is not None  # NeedTag.name is a CharField with a max_length
    if len(cleaned) > MAX_NEED_TAGS:
        raise DomainError(
            fields={
                "need_tags": [_("A customer has at most %(limit)d need tags.") % {"limit": MAX_NEED_TAGS}]
            }
        )
    if any(len(n) > limit for n in cleaned):
        raise DomainError(
            fields={"need_tags": [_("A need tag has at most %(limit)d characters.") % {"limit": limit}]}
        )
    return cleaned


def _sync_need_tags(customer: Customer) -> None:
    """Make the tag relation match ``customer.need_tag_names`` in a constant number of
    queries (unknown names are created)."""
    names = customer.need_tag_names
    NeedTag.objects.bulk_create([NeedTag(name=n) for n in names], ignore_conflicts=True)
    customer.need_tags.set(NeedTag.objects.filter(name__in=names))


def customer_set_need_tags(*, actor: User, customer: Customer, names: list[str]) -> Customer:
    """Replace the customer's need tags (R-CUST-1); unknown tag names are created."""
    return customer_update(actor=actor, customer=customer, data={}, need_tags=names)


def _assign_primary(customer: Customer, user: User, actor: User) -> None:
    _require_presales_role(user, "primary_presales")
    current = CustomerPresales.objects.select_for_update().filter(customer=customer, is_primary=True).first()
    if current and current.user_id == user.pk:
        return
    if current:
        # Demote first: the partial unique index allows one primary row at a time (R-CUST-5).
        current.is_primary = False
        save_as(current, actor)
    assignment = CustomerPresales.objects.filter(customer=customer, user=user).first() or CustomerPresales(
        customer=customer, user=user
    )
    assignment.is_primary = True
    save_as(assignment, actor)


@transaction.atomic
def customer_set_primary_presales(*, actor: User, customer: Customer, user: User) -> Customer:
    """R-CUST-5: exactly one primary presales engineer; the previous one becomes an assistant."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    _require_customer_edit(actor, customer)
    _require_not_merged(customer)
    _assign_primary(customer, user, actor)
    return customer


@transaction.atomic
def customer_add_assistant(*, actor: User, customer: Customer, user: User) -> CustomerPresales:
    """R-CUST-5: another presales engineer assists; an existing assignment is kept as it is."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    _require_customer_edit(actor, customer)
    _require_not_merged(customer)
    _require_presales_role(user, "user")
    assignment = CustomerPresales.objects.filter(customer=customer, user=user).first()
    if assignment is None:
        assignment = CustomerPresales(customer=customer, user=user, is_primary=False)
        save_as(assignment, actor)
    return assignment


@transaction.atomic
def customer_remove_presales(*, actor: User, customer: Customer, user: User) -> None:
    """Take an assistant off the customer; the primary must be replaced first (R-CUST-5)."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    _require_customer_edit(actor, customer)
    assignment = CustomerPresales.objects.filter(customer=customer, user=user).first()
    if assignment is None:
        return
    if assignment.is_primary:
        raise Conflict(_("Name another primary presales engineer before removing this one."))
    delete_as(assignment, actor)


def _move_to_customer(rows: QuerySet[Any], target: Customer, actor: User) -> int:
    """Point every row (locked, in id order) at ``target``, each saved with its history row."""
    count = 0
    for row in rows.select_for_update().order_by("pk"):
        row.customer = target
        save_as(row, actor)
        count += 1
    return count


@transaction.atomic
def customer_merge(*, actor: User, source: Customer, target: Customer) -> MergeRecord:
    """Merge a duplicate customer into ``target`` (R-LEAD-2): contacts, communications, leads,
    presales assistants and need tags move; the source stays as a pointer; the merge is recorded."""
    if source.pk == target.pk:
        raise DomainError(fields={"target": [_("A customer cannot be merged into itself.")]})
    locked = {
        c.pk: c
        for c in Customer.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).order_by("pk")
    }
    source, target = locked[source.pk], locked[target.pk]
    _require_customer_edit(actor, source)
    _require_customer_edit(actor, target)
    if source.merged_into_id or target.merged_into_id:
        raise Conflict(_("One of these customers was already merged."))
    # Row by row, not with a bulk update: each moved row's audit trail shows the customer
    # change and who made it (merges are rare; correctness over speed).
    moved = {
        "contacts": _move_to_customer(Contact.objects.filter(customer=source), target, actor),
        "communications": _move_to_customer(
            CommunicationRecord.objects.filter(customer=source), target, actor
        ),
        "leads": _move_to_customer(Lead.objects.filter(customer=source), target, actor),
    }
    existing = set(target.presales_assignments.values_list("user_id", flat=True))
    target_has_primary = target.presales_assignments.filter(is_primary=True).exists()
    moved_people = 0
    for assignment in source.presales_assignments.order_by("-is_primary", "pk"):
        if assignment.user_id not in existing:
            # The source's primary keeps that role only when the survivor has none (R-CUST-5).
            primary = assignment.is_primary and not target_has_primary
            save_as(CustomerPresales(customer=target, user_id=assignment.user_id, is_primary=primary), actor)
            target_has_primary = target_has_primary or primary
            moved_people += 1
    moved["presales"] = moved_people
    # The survivor keeps its own tags first; the union may pass MAX_NEED_TAGS (the next
    # edit of the tags is held to it).
    target.need_tag_names = list(
        dict.fromkeys(
            [
                *target.need_tags.values_list("name", flat=True),
                *source.need_tags.values_list("name", flat=True),
            ]
        )
    )
    save_as(target, actor)
    _sync_need_tags(target)
    source.merged_into = target
    save_as(source, actor)
    customer_record_progress(customer_id=target.pk, at=source.last_progress_at)
    cadence.cadence_sync(source)
    cadence.cadence_sync(target)
    return MergeRecord.objects.create(
        kind=MergeRecord.Kind.CUSTOMER,
        source_id=source.pk,
        source_label=source.name,
        target_id=target.pk,
        moved=moved,
        actor=actor,
    )


# --- contacts ----------------------------------------------------------------------------

CONTACT_FIELDS = ("name", "title", "phone", "email", "language", "decision_role", "notes", "source")


def _check_source(contact: Contact, *, changed: bool) -> None:
    """R-CUST-8: a new contact names a lawful source of its details; "unknown" is only the
    mark of contacts recorded before the rule."""
    if (contact.pk is None or changed) and contact.source in ("", ContactSource.UNKNOWN):
        raise DomainError(fields={"source": [_("Say where this person's details came from.")]})


@transaction.atomic
def contact_create(*, actor: User, customer: Customer, data: dict[str, Any]) -> Contact:
    """R-CUST-1: a person at the customer, with title and decision role."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    _require_customer_edit(actor, customer)
    _require_not_merged(customer)
    contact = Contact(customer=customer)
    apply_fields(contact, data, CONTACT_FIELDS)
    validate(contact, exclude=["phone_normalized", "email_normalized"])
    _check_source(contact, changed=True)
    _require_unique_contact(contact)
    save_as(contact, actor)
    if contact.decision_role == DecisionRole.DECISION_MAKER:
        cadence.cadence_sync(customer)
    return contact


@transaction.atomic
def contact_update(
    *, actor: User, contact: Contact, data: dict[str, Any], expected_version: int | None = None
) -> Contact:
    """Edit a contact; only writers who may edit its customer."""
    # The join locks the customer's row too: contacts of one customer change one at a time.
    contact = Contact.objects.select_for_update().select_related("customer").get(pk=contact.pk)
    _require_customer_edit(actor, contact.customer)
    check_version(contact, expected_version)
    require_not_erased(contact)
    data = keep_hidden_contact_details(actor, contact, data)
    before = {"source": contact.source, "decision_role": contact.decision_role}
    apply_fields(contact, data, CONTACT_FIELDS)
    validate(contact, exclude=["phone_normalized", "email_normalized"])
    _check_source(contact, changed=_changed(contact, before, "source"))
    _require_unique_contact(contact)
    save_as(contact, actor)
    if _changed(contact, before, "decision_role"):
        cadence.cadence_sync(contact.customer)
    return contact


def _require_unique_contact(contact: Contact) -> None:
    """R-LEAD-2 within a customer: no second contact with the same phone or email. The
    caller holds the customer's row lock, so two writers cannot both pass this check."""
    fields = {}
    others = Contact.objects.filter(customer_id=contact.customer_id).exclude(pk=contact.pk)
    phone, email = normalize_phone(contact.phone), normalize_email(contact.email)
    if phone and others.filter(phone_normalized=phone).exists():
        fields["phone"] = [_("Another contact of this customer has this phone number.")]
    if email and others.filter(email_normalized=email).exists():
        fields["email"] = [_("Another contact of this customer has this email address.")]
    if fields:
        raise Conflict(
            _("This person looks like an existing contact of the customer: edit that contact instead."),
            code="duplicate",
            fields=fields,
        )


@transaction.atomic
def contact_delete(*, actor: User, contact: Contact) -> None:
    """Remove a contact (its communications keep their text; the link is cleared)."""
    contact = Contact.objects.select_for_update().select_related("customer").get(pk=contact.pk)
    _require_customer_edit(actor, contact.customer)
    # R-CUST-8: an erased contact stays, so that its history shows it existed.
    require_not_erased(contact)
    delete_as(contact, actor)


# --- leads -------------------------------------------------------------------------------

LEAD_FIELDS = (
    "source",
    "company_name",
    "customer",
    "contact_name",
    "contact_title",
    "phone",
    "email",
    "industry",
    "background",
    "initial_needs",
    "budget",
    "timing",
    "received_at",
    "team",
    "owner",
    "presales_owner",
)


def first_contact_deadline(received_at: datetime) -> datetime:
    """R-LEAD-3: first contact within the SLA policy's limit of receipt (24 hours by default)."""
    return compute_due(active_policy(LEAD_FIRST_CONTACT), received_at)


def _start_first_contact_timer(lead: Lead) -> None:
    """R-LEAD-3 / R-SLA-1: the first-contact timer; the lead shows the timer's due time."""
    timer = timer_start(kind=LEAD_FIRST_CONTACT, subject=lead, owner=lead.owner, start=lead.received_at)
    if timer.due_at != lead.first_contact_due_at:
        lead.first_contact_due_at = timer.due_at
        Lead.objects.filter(pk=lead.pk).update(first_contact_due_at=timer.due_at)


def first_contact_due_changed(timer: Timer) -> None:
    """The first-contact timer's due time was recomputed (its working-day calendar was
    entered): the lead's copy follows."""
    Lead.objects.filter(pk=timer.subject_id).update(first_contact_due_at=timer.due_at)


@transaction.atomic
def lead_create(
    *, actor: User, data: dict[str, Any], allow_duplicate: bool = False, duplicate_reason: str = ""
) -> Lead:
    """Intake a lead (R-LEAD-1). Duplicates are refused with the candidates (R-LEAD-2) unless
    the caller confirms ``allow_duplicate`` after seeing them, with ``duplicate_reason``
    (kept on the lead with who and when). The check runs under advisory locks on the
    company, phone and email, so simultaneous intakes of one lead create it once.

    R-LEAD-3: the first-contact clock counts from the receipt time: now, or the caller's
    ``received_at`` when it is earlier (at most a year back); a time up to the clock skew
    ahead counts as now, later is refused. It is fixed from then on."""
    _require_writer(actor)
    _require_override_reason(allow_duplicate, duplicate_reason)
    lead = Lead()
    apply_fields(lead, data, LEAD_FIELDS)
    if lead.team_id is None:
        lead.team_id = actor.team_id
    if lead.owner_id is None:
        lead.owner = actor
    now = timezone.now()
    if lead.received_at is None or now < lead.received_at <= now + CLOCK_SKEW:
        lead.received_at = now
    require_team(actor, lead.team_id)
    _require_owner_role(lead.owner)
    _require_presales_role(lead.presales_owner, "presales_owner")
    validate(
        lead, exclude=["company_normalized", "phone_normalized", "email_normalized", "first_contact_due_at"]
    )
    lead.first_contact_due_at = first_contact_deadline(lead.received_at)
    if not (lead.phone or lead.email):
        raise DomainError(fields={"phone": [_("Give a phone number or an email address.")]})
    if lead.customer is not None and lead.customer.merged_into_id:
        raise DomainError(fields={"customer": [_("This customer was merged; choose the surviving one.")]})
    lock_keys(*duplicate_lock_keys(company_name=lead.company_name, phone=lead.phone, email=lead.email))
    _check_lead_duplicates(
        lead,
        actor,
        allow_duplicate=allow_duplicate,
        reason=duplicate_reason,
        company_name=lead.company_name,
        phone=lead.phone,
        email=lead.email,
    )
    save_as(lead, actor)
    _start_first_contact_timer(lead)
    ensure_still_visible(Lead.objects, lead, actor)
    return lead


@transaction.atomic
def lead_update(
    *,
    actor: User,
    lead: Lead,
    data: dict[str, Any],
    allow_duplicate: bool = False,
    duplicate_reason: str = "",
    expected_version: int | None = None,
) -> Lead:
    """Edit an open lead's facts; the status only moves through the transition services.
    A new company, phone or email matching another record is refused as at intake
    (R-LEAD-2). The receipt time is fixed (R-LEAD-3), and the first-contact timer changes
    only when a value it depends on changes (the owner or team it follows): a save that
    changes nothing it depends on leaves it alone (R-SLA-3)."""
    _require_override_reason(allow_duplicate, duplicate_reason)
    # Lock order: the new values' advisory keys, then the row (presales/core/locks.py).
    lock_keys(
        *duplicate_lock_keys(
            company_name=data.get("company_name") or "",
            phone=data.get("phone") or "",
            email=data.get("email") or "",
        )
    )
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    _require_lead_edit(actor, lead)
    check_version(lead, expected_version)
    if not lead.is_open:
        raise Conflict(_("A closed lead cannot be edited."))
    data = keep_hidden_contact_details(actor, lead, data)
    before = (
        lead.company_normalized,
        lead.phone_normalized,
        lead.email_normalized,
        lead.owner_id,
        lead.team_id,
    )
    people_before = {name: getattr(lead, f"{name}_id") for name in ("team", "owner", "presales_owner")}
    apply_fields(lead, data, LEAD_FIELDS)
    if _changed(lead, people_before, "team"):
        require_team(actor, lead.team_id)
    if _changed(lead, people_before, "owner"):
        _require_owner_role(lead.owner)
    if _changed(lead, people_before, "presales_owner"):
        _require_presales_role(lead.presales_owner, "presales_owner")
    if "customer" in data and lead.customer is not None and lead.customer.merged_into_id:
        raise DomainError(fields={"customer": [_("This customer was merged; choose the surviving one.")]})
    validate(lead, exclude=["company_normalized", "phone_normalized", "email_normalized"])
    changed = {
        name: value
        for name, value, old, normalize in (
            ("company_name", lead.company_name, before[0], normalize_company),
            ("phone", lead.phone, before[1], normalize_phone),
            ("email", lead.email, before[2], normalize_email),
        )
        if normalize(value) != old
    }
    if changed:
        _check_lead_duplicates(
            lead, actor, allow_duplicate=allow_duplicate, reason=duplicate_reason, **changed
        )
    save_as(lead, actor)
    if (lead.owner_id, lead.team_id) != before[3:] and lead.first_contacted_at is None:
        timer_reassign(kind=LEAD_FIRST_CONTACT, subject=lead, owner=lead.owner, team=lead.team)
    ensure_still_visible(Lead.objects, lead, actor)
    return lead


COMMUNICATION_FIELDS = (
    "occurred_at",
    "channel",
    "place",
    "contact",
    "participants",
    "key_points",
    "customer_feedback",
    "concerns",
    "next_step",
    "next_step_due_at",
)


# R-COMM-2: the people who took part (many-to-many, set after the record is saved).
PARTICIPANT_FIELDS = ("participant_users", "participant_contacts")


def _split_participants(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    rest = dict(data)
    people = {name: rest.pop(name) for name in PARTICIPANT_FIELDS if name in rest}
    return rest, people


def _set_participants(record: CommunicationRecord, people: dict[str, Any]) -> None:
    """Our participants are active users; the customer's are contacts of the record's
    customer (a record on a lead without a customer has none yet)."""
    errors: dict[str, list[str]] = {}
    users = list(people["participant_users"] or []) if "participant_users" in people else None
    contacts = list(people["participant_contacts"] or []) if "participant_contacts" in people else None
    if users is not None and any(not user.is_active for user in users):
        errors["participant_users"] = [_("This person's account is deactivated.")]
    if contacts is not None and any(
        c.customer_id is None or c.customer_id != record.customer_id for c in contacts
    ):
        errors["participant_contacts"] = [_("Choose contacts of the record's customer.")]
    if errors:
        raise DomainError(fields=errors)
    if users is not None:
        record.participant_users.set(users)
    if contacts is not None:
        record.participant_contacts.set(contacts)


# R-COMM-2: the first meeting with a new customer (a meeting or a site visit: 售前與銷售同去)
# includes a presales engineer, so the needs are heard first-hand, not retold by sales.
FIRST_MEETING_CHANNELS = (Channel.MEETING, Channel.SITE_VISIT)


def _check_first_meeting(record: CommunicationRecord) -> None:
    """Refuse the first meeting of a customer (or of a lead without one yet) whose
    participants name no presales engineer or manager. Later meetings, calls and e-mails are
    free; an earlier meeting recorded afterwards becomes the first and is checked then."""
    if record.channel not in FIRST_MEETING_CHANNELS:
        return
    subject = Q(customer_id=record.customer_id) if record.customer_id else Q(lead_id=record.lead_id)
    earlier = (
        CommunicationRecord.objects.filter(subject, channel__in=FIRST_MEETING_CHANNELS)
        .filter(Q(occurred_at__lt=record.occurred_at) | Q(occurred_at=record.occurred_at, pk__lt=record.pk))
        .exclude(pk=record.pk)
    )
    if earlier.exists():
        return
    if any(user.roles & PRESALES_ROLES for user in record.participant_users.all()):
        return
    raise DomainError(
        fields={
            "participant_users": [
                _(
                    "The first meeting with a customer includes a presales engineer (R-COMM-2): "
                    "add the presales engineer who attended to the participants."
                )
            ]
        }
    )


def _check_communication(record: CommunicationRecord) -> None:
    if record.occurred_at is not None and record.occurred_at > timezone.now() + CLOCK_SKEW:
        raise DomainError(fields={"occurred_at": [_("An interaction cannot be recorded in the future.")]})
    if record.contact is not None and record.contact.customer_id != record.customer_id:
        raise DomainError(fields={"contact": [_("This contact belongs to another customer.")]})


def _new_communication(
    *,
    actor: User,
    data: dict[str, Any],
    customer: Customer | None = None,
    lead: Lead | None = None,
    first: bool = False,
) -> CommunicationRecord:
    record = CommunicationRecord(customer=customer, lead=lead, author=actor, is_first_contact=first)
    data, people = _split_participants(data)
    apply_fields(record, data, COMMUNICATION_FIELDS)
    if record.occurred_at is None:
        record.occurred_at = timezone.now()
    _check_communication(record)
    validate(record)
    save_as(record, actor)
    _set_participants(record, people)
    _check_first_meeting(record)
    customer_record_progress(
        customer_id=customer.pk if customer else (lead.customer_id if lead else None), at=record.occurred_at
    )
    _follow_up_timers(record)
    if customer is not None:
        # R-CUST-7: an interaction restarts the customer's contact cadence.
        cadence.cadence_sync(customer)
    return record


def _follow_up_timers(record: CommunicationRecord) -> None:
    """R-COMM-1 / R-SLA-1: this interaction keeps the earlier promises made on the same
    customer or lead (their follow-up timers are satisfied), and a next step with a date
    becomes a follow-up timer owned by the author, due at that date."""
    same_subject = Q(pk__in=[])
    if record.customer_id:
        same_subject |= Q(customer_id=record.customer_id)
    if record.lead_id:
        same_subject |= Q(lead_id=record.lead_id)
    earlier = (
        CommunicationRecord.objects.filter(same_subject)
        .filter(occurred_at__lte=record.occurred_at)
        .exclude(pk=record.pk)
    )
    timers_satisfy(kind=COMMUNICATION_FOLLOW_UP, subjects=earlier, at=record.occurred_at)
    if record.next_step_due_at is not None:
        subject = record.customer or record.lead
        # The record is saved: the communication_has_subject constraint holds.
        assert subject is not None
        timer_start(
            kind=COMMUNICATION_FOLLOW_UP,
            subject=record,
            owner=record.author,
            due_at=record.next_step_due_at,
            team=subject.team,
        )


# R-LEAD-3 (a): the first-contact record is entered within this many hours after the
# conversation it records; a later entry is flagged late.
FIRST_CONTACT_ENTRY_HOURS = 24


def _flag_late_entry(record: CommunicationRecord) -> None:
    """R-LEAD-3 (a): compare the stated conversation time with the time the system saw
    the entry (``created_at``). Once late, always late: editing the stated time back does
    not clear it."""
    entered = record.created_at or timezone.now()
    late = entered - record.occurred_at > timedelta(hours=FIRST_CONTACT_ENTRY_HOURS)
    if late and not record.entered_late:
        record.entered_late = True
        CommunicationRecord.objects.filter(pk=record.pk).update(entered_late=True)


# The lead's contact facts a first-contact record may correct (R-LEAD-3).
LEAD_CONTACT_FIELDS = ("company_name", "contact_name", "contact_title", "phone", "email", "initial_needs")


@transaction.atomic
def lead_record_first_contact(*, actor: User, lead: Lead, data: dict[str, Any]) -> CommunicationRecord:
    """R-LEAD-3: the first contact record (company, contact, title, phone, initial need,
    concerns). Corrections to the lead's contact facts are saved on the lead.

    Both clocks use the times the system saw: the response limit is met (or missed) at the
    moment the record is entered, whatever conversation time it states, and a record
    entered more than 24 hours after the stated conversation is flagged late."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    LEAD_MACHINE.check(lead, actor, "record_first_contact")
    data = keep_hidden_contact_details(actor, lead, dict(data))
    lead_facts = {k: data.pop(k) for k in list(data) if k in LEAD_CONTACT_FIELDS}
    apply_fields(lead, lead_facts, LEAD_FIELDS)
    occurred_at = data.get("occurred_at")
    if occurred_at is not None and occurred_at < lead.received_at:
        raise DomainError(fields={"occurred_at": [_("The first contact cannot precede the lead's receipt.")]})
    record = _new_communication(actor=actor, data=data, lead=lead, customer=lead.customer, first=True)
    _flag_late_entry(record)
    lead.first_contacted_at = record.created_at
    validate(lead, exclude=["company_normalized", "phone_normalized", "email_normalized"])
    _lead_move(lead, actor=actor, move="record_first_contact")
    timer_satisfy(kind=LEAD_FIRST_CONTACT, subject=lead, at=record.created_at)
    return record


@transaction.atomic
def communication_create(
    *, actor: User, data: dict[str, Any], customer: Customer | None = None, lead: Lead | None = None
) -> CommunicationRecord:
    """R-COMM-1: record an interaction on a customer or a lead. A promised follow-up
    (``next_step_due_at``) is stored as a deadline on the record."""
    if customer is None and lead is None:
        raise DomainError(fields={"customer": [_("Choose a customer or a lead.")]})
    if customer is not None:
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        _require_customer_edit(actor, customer)
        _require_not_merged(customer)
    if lead is not None:
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
        _require_lead_edit(actor, lead)
        if lead.status == LeadStatus.MERGED:
            raise Conflict(_("This lead was merged; record the interaction on the surviving lead."))
        if customer is not None and lead.customer_id and lead.customer_id != customer.pk:
            raise DomainError(fields={"lead": [_("This lead belongs to another customer.")]})
        customer = customer or lead.customer
    return _new_communication(actor=actor, data=data, customer=customer, lead=lead)


@transaction.atomic
def communication_update(
    *, actor: User, record: CommunicationRecord, data: dict[str, Any], expected_version: int | None = None
) -> CommunicationRecord:
    """Correct a communication record; only its author may (the record is their account)."""
    record = CommunicationRecord.objects.select_for_update().get(pk=record.pk)
    if record.author_id != actor.pk and not actor.is_superuser:
        raise NotAllowed(_("Only the author can correct a communication record."))
    check_version(record, expected_version)
    promised = record.next_step_due_at
    data, people = _split_participants(data)
    apply_fields(record, data, COMMUNICATION_FIELDS)
    _check_communication(record)
    validate(record)
    if same_moment(record.next_step_due_at, promised):
        # R-SLA-3: the same promise re-sent (a form drops seconds) is not a new promise.
        record.next_step_due_at = promised
    save_as(record, actor)
    _set_participants(record, people)
    _check_first_meeting(record)
    if record.is_first_contact:
        _flag_late_entry(record)
    if record.customer is not None:
        cadence.cadence_sync(record.customer)
    if record.next_step_due_at != promised:
        # A new promised date is a new promise (R-COMM-1); a removed one is no promise.
        if record.next_step_due_at is None:
            timer_cancel(kind=COMMUNICATION_FOLLOW_UP, subject=record, reason=_("Next step removed"))
        else:
            timer_restart(
                kind=COMMUNICATION_FOLLOW_UP,
                subject=record,
                owner=record.author,
                due_at=record.next_step_due_at,
                reason=_("Next step date changed"),
            )
    return record


EVALUATION_KEYS = ("background", "needs", "budget", "competition", "timeline")


def lead_presales_owner(lead: Lead) -> User | None:
    """The lead's presales owner when they (still) hold a presales role, else None: only
    such a person is carried over as a customer's primary or an opportunity's presales
    owner (R-CUST-5), whatever an older record says."""
    person = lead.presales_owner
    if person is not None and person.is_active and person.roles.intersection(PRESALES_ROLES):
        return person
    return None


@transaction.atomic
def lead_qualify(
    *,
    actor: User,
    lead: Lead,
    evaluation: dict[str, Any],
    customer: Customer | None = None,
) -> Lead:
    """R-LEAD-4: qualify on the five-aspect evaluation. Links or creates the customer (by
    normalised name), adds the lead's contact, and moves its communications there.
    The opportunity the qualified lead becomes (R-OPP-1) is the ``opportunities`` use case
    ``opportunity_qualify_lead``, which calls this in its transaction.

    Simultaneous qualifications of leads of one new company create one customer: the
    company's advisory key is taken before the lead's row (lock order) and held until
    commit, so the later ones find the customer the first created (R-LEAD-2)."""
    company = Lead.objects.filter(pk=lead.pk).values_list("company_name", flat=True).first() or ""
    lock_keys(*duplicate_lock_keys(company_name=company))
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    LEAD_MACHINE.check(lead, actor, "qualify", evaluation=evaluation)
    for key in EVALUATION_KEYS:
        setattr(lead, f"eval_{key}", str(evaluation.get(key, "")).strip())
    validate(lead, exclude=["company_normalized", "phone_normalized", "email_normalized"])
    customer = customer or lead.customer
    if customer is not None and customer.merged_into_id:
        raise DomainError(fields={"customer": [_("This customer was merged; choose the surviving one.")]})
    if customer is None:
        customer = (
            Customer.objects.active()
            .visible_to(actor)
            .filter(normalized_name=normalize_company(lead.company_name))
            .first()
        )
    if customer is None:
        # R-CUST-5: the new customer's primary is the lead's presales owner, else the actor
        # when they hold a presales role; a lead with neither names its presales owner first.
        primary = lead_presales_owner(lead) or (actor if actor.roles.intersection(PRESALES_ROLES) else None)
        if primary is None:
            raise DomainError(
                fields={
                    "presales_owner": [
                        _(
                            "Name the lead's presales engineer first: the customer it becomes "
                            "needs its primary presales engineer."
                        )
                    ]
                }
            )
        customer = _create_customer(
            actor=actor,
            data={
                "name": lead.company_name,
                "industry": lead.industry or Industry.OTHER,
                "team": lead.team,
                "owner": lead.owner,
            },
            need_tags=None,
            primary_presales=primary,
            # The customer belongs to the lead's team, whoever of its people qualifies it.
            inherited_team=lead.team_id,
        )
    elif not can_edit_customer(actor, customer):
        raise NotAllowed(_("You cannot add this lead to that customer."))
    contact_exists = (
        Contact.objects.filter(customer=customer)
        .filter(
            Q(phone_normalized=normalize_phone(lead.phone), phone_normalized__gt="")
            | Q(email_normalized=normalize_email(lead.email), email_normalized__gt="")
        )
        .exists()
    )
    if not contact_exists:
        contact = Contact(
            customer=customer,
            name=lead.contact_name,
            title=lead.contact_title,
            phone=lead.phone,
            email=lead.email,
        )
        save_as(contact, actor)
    CommunicationRecord.objects.filter(lead=lead, customer__isnull=True).update(customer=customer)
    lead.customer = customer
    lead.decided_at = timezone.now()
    _lead_move(lead, actor=actor, move="qualify", at=lead.decided_at, evaluation=evaluation)
    customer_record_progress(customer_id=customer.pk, at=lead.decided_at)
    timer_satisfy(kind=LEAD_FIRST_CONTACT, subject=lead, at=lead.decided_at)
    return lead


@transaction.atomic
def lead_disqualify(*, actor: User, lead: Lead, reason: str, note: str = "") -> Lead:
    """R-LEAD-4: disqualify with a reason."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    LEAD_MACHINE.check(lead, actor, "disqualify", reason=reason)
    # full_clean skips non-editable fields, so the choice is checked here.
    if reason not in DisqualifyReason.values:
        raise DomainError(fields={"reason": [_("Choose one of the listed reasons.")]})
    lead.disqualify_reason = reason
    lead.disqualify_note = note
    lead.decided_at = timezone.now()
    validate(lead, exclude=["company_normalized", "phone_normalized", "email_normalized"])
    _lead_move(lead, actor=actor, move="disqualify", note=note, at=lead.decided_at, reason=reason)
    timer_cancel(kind=LEAD_FIRST_CONTACT, subject=lead, reason=_("Lead disqualified"), at=lead.decided_at)
    return lead


@transaction.atomic
def lead_merge(*, actor: User, source: Lead, target: Lead) -> MergeRecord:
    """R-LEAD-2: merge a duplicate lead into ``target``: its communications move, blank facts
    on the target are filled from it, and the source is closed as merged."""
    if source.pk == target.pk:
        raise DomainError(fields={"target": [_("A lead cannot be merged into itself.")]})
    locked = {
        x.pk: x for x in Lead.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).order_by("pk")
    }
    source, target = locked[source.pk], locked[target.pk]
    LEAD_MACHINE.check(source, actor, "merge", into=target)
    _require_lead_edit(actor, target)
    filled = []
    for name in (
        "contact_title",
        "phone",
        "email",
        "industry",
        "background",
        "initial_needs",
        "budget",
        "timing",
        "customer_id",
        "presales_owner_id",
    ):
        if getattr(target, name) in ("", None) and getattr(source, name) not in ("", None):
            setattr(target, name, getattr(source, name))
            filled.append(name.removesuffix("_id"))
    takes_first_contact = target.first_contacted_at is None and source.first_contacted_at is not None
    if takes_first_contact:
        target.first_contacted_at = source.first_contacted_at
        filled.append("first_contacted_at")
    moved = {
        "communications": CommunicationRecord.objects.filter(lead=source).update(lead=target),
        "filled": filled,
    }
    if takes_first_contact and target.status == LeadStatus.NEW:
        # The duplicate's first contact is the survivor's (R-LEAD-3): it moves on with it.
        _lead_move(
            target,
            actor=actor,
            move="record_first_contact",
            note=system_note(FIRST_CONTACT_TAKEN_OVER, id=source.pk),
        )
    else:
        save_as(target, actor)
    source.merged_into = target
    source.decided_at = timezone.now()
    _lead_move(
        source,
        actor=actor,
        move="merge",
        note=system_note(MERGED_INTO, id=target.pk),
        at=source.decided_at,
        into=target,
    )
    timer_cancel(kind=LEAD_FIRST_CONTACT, subject=source, reason=_("Lead merged"), at=source.decided_at)
    if target.first_contacted_at is not None:
        timer_satisfy(kind=LEAD_FIRST_CONTACT, subject=target, at=target.first_contacted_at)
    return MergeRecord.objects.create(
        kind=MergeRecord.Kind.LEAD,
        source_id=source.pk,
        source_label=str(source),
        target_id=target.pk,
        moved=moved,
        actor=actor,
    )


@transaction.atomic
def lead_intake_merge(*, actor: User, data: dict[str, Any], target: Lead) -> MergeRecord:
    """Intake a lead that duplicates ``target``: the intake is kept (with its source channel)
    and merged at once, so nothing is silently created twice (R-LEAD-2)."""
    source = lead_create(
        actor=actor,
        data=data,
        allow_duplicate=True,
        duplicate_reason=_("Merged at intake into lead #%(id)s.") % {"id": target.pk},
    )
    return lead_merge(actor=actor, source=source, target=target)


# --- monthly grade review (R-CUST-3) -------------------------------------------------------

GRADE_REVIEW_MONTHS = 3


def months_before(moment: datetime, months: int) -> datetime:
    """The same local day ``months`` calendar months earlier (clamped to the month's end)."""
    local = timezone.localtime(moment)
    month_index = local.year * 12 + local.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    return local.replace(year=year, month=month + 1, day=day)


def customer_review_grades(*, now: datetime | None = None) -> list[int]:
    """R-CUST-3 monthly review: every active A customer without progress for three months is
    downgraded to B (each in its own transaction). Returns the ids downgraded."""
    now = now or timezone.now()
    cutoff = months_before(now, GRADE_REVIEW_MONTHS)
    candidates = Customer.objects.active().filter(grade=Grade.A, last_progress_at__lt=cutoff)
    return [
        pk
        for pk in candidates.values_list("pk", flat=True)
        if customer_downgrade_stale(customer_id=pk, now=now)
    ]


@transaction.atomic
def customer_downgrade_stale(*, customer_id: int, now: datetime) -> bool:
    """R-CUST-3: downgrade one stale A customer to B, by the system (history actor None),
    with the reason on the customer, and tell the sales owner. Re-checked under lock, so a
    customer that made progress meanwhile, or a second run, changes nothing."""
    customer = Customer.objects.select_for_update().filter(pk=customer_id).first()
    cutoff = months_before(now, GRADE_REVIEW_MONTHS)
    if (
        customer is None
        or customer.merged_into_id
        or customer.grade != Grade.A
        or customer.last_progress_at >= cutoff
    ):
        return False
    since = timezone.localtime(customer.last_progress_at).date().isoformat()
    customer.grade = Grade.B
    customer.grade_reason = _(
        "Downgraded automatically from A to B: no progress since %(date)s (monthly grade review)."
    ) % {"date": since}
    customer.graded_at = now
    save_as(customer, None)
    cadence.cadence_sync(customer, reason=_("Grade changed"))
    owner = customer.owner
    with translation.override(owner.language or None):
        title = _("%(customer)s was downgraded from A to B") % {"customer": customer.name}
        body = _(
            "No progress has been recorded since %(date)s, so the monthly grade review moved it to B."
        ) % {"date": since}
    notify(
        recipient=owner,
        kind=GRADE_CHANGE,
        key=f"customer:{customer.pk}:grade-review:{timezone.localtime(now):%Y-%m}",
        title=title,
        body=body,
        url=_customer_url(customer),
        now=now,
    )
    return True


def _customer_url(customer: Customer) -> str:
    try:
        return customer.get_absolute_url()
    except NoReverseMatch:
        return ""
