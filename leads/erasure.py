"""Erasure of a contact's personal data on request (R-CUST-8, 個人信息保護法).

:func:`contact_erase` (administrators only) overwrites the person's details everywhere they
were kept: the contact row, every history row of it, the text of the customer's
communications and their history (the name, phone and e-mail wherever they were copied),
the customer's leads that carried the same person and their history, the finished export
files on disk of customers and leads (they may list the person), and every other text the
product keeps: each app scrubs its own tables through :func:`register_erasure_step`,
usually with :func:`scrub_app` (every text and JSON column of every model of the app and
of its history models). Last, the generated documents (PDFs) of the customer's records and
of every record whose text was scrubbed are withdrawn: their files are deleted and the next
request renders them again from the scrubbed data (``presales.documents``).

Where a text is scrubbed: the name in the rows of the erased contact's customer and in rows
tied to no customer (a meeting minute without an opportunity, a template, a notification);
the phone and the e-mail in every row (they identify the person wherever they appear). A
row of another customer keeps a same name: it is another person. Other contact records are
left alone (each is erased on its own request), and so are our users and teams.

A tombstone (:class:`~leads.models.ContactErasure`) keeps that the contact existed, who
erased it, when, why and on whose request, and how many rows each step scrubbed; there is no
undo, and an erased contact can no longer be edited (``leads.services`` refuses it).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps as django_apps
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.models import CommunicationRecord, Contact, ContactErasure, Lead
from leads.normalize import normalize_phone
from presales.accounts.models import User
from presales.core.errors import Conflict, DomainError, NotAllowed
from presales.core.relations import path_to
from presales.core.roles import Role
from presales.documents.models import DocumentDelivery
from presales.documents.services import documents_of, documents_withdraw
from presales.exports.models import ExportJob, ExportState

# The export resources whose files may name a contact.
EXPORT_RESOURCES = ("customers", "leads", "contacts")
COMMUNICATION_TEXT = ("participants", "key_points", "customer_feedback", "concerns", "next_step", "place")
CUSTOMER = "leads.Customer"


@dataclass(frozen=True)
class ErasedPerson:
    """What a step needs: the contact (already scrubbed), the details to look for, the
    placeholder that replaces the name. ``touched`` collects the ``(model label, pk)`` of
    every row scrubbed (not history rows): their documents are withdrawn at the end."""

    contact: Contact
    name: str
    phone: str
    email: str
    placeholder: str
    touched: set[tuple[str, int]] = field(default_factory=set, compare=False)

    @property
    def needles(self) -> tuple[str, ...]:
        return tuple(n for n in (self.name, self.phone, self.email) if n)

    @property
    def phone_pattern(self) -> str:
        """The phone however it was written: '139-1234-5678', '139 1234 5678', '+86 21 6123
        4567' for '021-61234567' (see :func:`phone_pattern`)."""
        return phone_pattern(self.phone)

    def without_name(self) -> ErasedPerson:
        """The same person for rows of other customers: only the phone and e-mail are looked
        for there (a same name is another person)."""
        return dataclasses.replace(self, name="", touched=self.touched)


ErasureStep = Callable[[ErasedPerson], int]
_steps: dict[str, ErasureStep] = {}


def register_erasure_step(key: str, step: ErasureStep) -> None:
    """An app above leads that copied contact details scrubs them: ``step(person) -> rows``.
    Called inside the erasure's transaction; raising rolls the erasure back."""
    _steps[key] = step


def can_erase(user: Any) -> bool:
    return bool(user.is_superuser or user.has_role(Role.ADMIN))


def placeholder_for(contact_id: int) -> str:
    return _("Erased contact #%(id)s") % {"id": contact_id}


# Between the digits of a phone written by hand: spaces, dashes, dots, brackets, slashes.
_PHONE_GAP = r"[\s.()/-]{0,3}"


def phone_pattern(phone: str) -> str:
    """A regular expression (Python's and PostgreSQL's alike) that finds ``phone`` in a text
    whatever the separators, with or without the country code and a landline's trunk 0, and
    not inside a longer number; empty for a number too short to match on."""
    digits = normalize_phone(phone)
    if not digits:
        return ""
    head = r"\(?((\+|00)?86" + _PHONE_GAP + ")?"
    if digits.startswith("0"):
        head += "0?" + _PHONE_GAP
        digits = digits[1:]
    return "(?<![0-9])" + head + _PHONE_GAP.join(digits) + "(?![0-9])"


def scrub_text(value: str, person: ErasedPerson) -> str:
    """The name becomes the placeholder, the phone (however written) and the e-mail (in any
    case) ``***``."""
    if person.name and person.name in value:
        value = value.replace(person.name, person.placeholder)
    if person.phone_pattern:
        value = re.sub(person.phone_pattern, "***", value)
    elif person.phone and person.phone in value:
        value = value.replace(person.phone, "***")
    if person.email:
        value = re.sub(re.escape(person.email), "***", value, flags=re.IGNORECASE)
    return value


def scrub_value(value: Any, person: ErasedPerson) -> Any:
    """A text, or a JSON value with texts at any depth (keys too)."""
    if isinstance(value, str):
        return scrub_text(value, person)
    if isinstance(value, list):
        return [scrub_value(item, person) for item in value]
    if isinstance(value, dict):
        return {scrub_value(key, person): scrub_value(item, person) for key, item in value.items()}
    return value


def text_fields(model: type[models.Model]) -> tuple[str, ...]:
    """The columns of ``model`` that may hold a copied name, phone or e-mail: every text
    column without fixed choices, and every JSON column."""
    return tuple(
        f.name
        for f in model._meta.concrete_fields
        if (isinstance(f, (models.CharField, models.TextField)) and not f.choices and not f.primary_key)
        or isinstance(f, models.JSONField)
    )


def needles_q(person: ErasedPerson, fields: Iterable[str]) -> Q:
    """Rows with the name or the phone (as stored, or however written) in one of ``fields``,
    or the e-mail in any case."""
    fields = tuple(fields)
    q = Q(pk__in=[])
    for needle, lookup in (
        (person.name, "contains"),
        (person.phone, "contains"),
        (person.email, "icontains"),
    ):
        if needle:
            for name in fields:
                q |= Q(**{f"{name}__{lookup}": needle})
    if person.phone_pattern:
        for name in fields:
            q |= Q(**{f"{name}__regex": person.phone_pattern})
    return q


def _is_history(model: type[models.Model]) -> bool:
    return hasattr(model, "instance_type")


def scrub_rows(queryset: Any, person: ErasedPerson, fields: tuple[str, ...] | None = None) -> int:
    """Replace the person's details in ``fields`` (default: :func:`text_fields`) of the rows
    of ``queryset`` that contain them; returns how many rows changed."""
    model = queryset.model
    fields = text_fields(model) if fields is None else fields
    if not fields or not person.needles:
        return 0
    json_fields = {f for f in fields if isinstance(model._meta.get_field(f), models.JSONField)}
    annotations = {f"_erasure_{f}": Cast(f, models.TextField()) for f in json_fields}
    lookups = [f"_erasure_{f}" if f in json_fields else f for f in fields]
    matching = (
        queryset.annotate(**annotations).filter(needles_q(person, lookups))
        if annotations
        else (queryset.filter(needles_q(person, lookups)))
    )
    count = 0
    for row in matching.only("pk", *fields):
        changes = {}
        for name in fields:
            old = getattr(row, name)
            new = scrub_value(old, person)
            max_length = model._meta.get_field(name).max_length
            if isinstance(new, str) and max_length and name not in json_fields:
                new = new[:max_length]
            if new != old:
                changes[name] = new
        if changes:
            model._default_manager.filter(pk=row.pk).update(**changes)
            count += 1
            if not _is_history(model):
                person.touched.add((model._meta.label, row.pk))
    return count


def scrub_model(
    model: type[models.Model], person: ErasedPerson, fields: tuple[str, ...] | None = None
) -> int:
    """Every row of ``model`` (a model or a history model): the name, phone and e-mail in
    the rows of the person's customer and in rows tied to no customer; the phone and e-mail
    in the rows of other customers (see the module docstring)."""
    route = path_to(model, CUSTOMER)
    rows = model._default_manager.all()
    if route is None:
        return scrub_rows(rows, person, fields)
    path, may_miss = route
    path = path or "pk"
    mine = Q(**{path: person.contact.customer_id})
    if may_miss:
        mine |= Q(**{f"{path}__isnull": True})
    return scrub_rows(rows.filter(mine), person, fields) + scrub_rows(
        rows.exclude(mine), person.without_name(), fields
    )


def scrub_app(app_label: str, person: ErasedPerson, *, skip: Iterable[str] = ()) -> int:
    """:func:`scrub_model` over every model of the app with text (their history models are
    models of the app too), except the ``skip`` model names (with their history)."""
    skipped = {name.lower() for name in skip}
    skipped |= {f"historical{name}" for name in skipped}
    count = 0
    for model in django_apps.get_app_config(app_label).get_models():
        if model._meta.model_name in skipped or model._meta.proxy or not text_fields(model):
            continue
        count += scrub_model(model, person)
    return count


def _scrub_communications(person: ErasedPerson) -> int:
    records = CommunicationRecord.objects.filter(customer_id=person.contact.customer_id)
    history = CommunicationRecord.history.model.objects.filter(customer_id=person.contact.customer_id)
    return scrub_rows(records, person, COMMUNICATION_TEXT) + scrub_rows(history, person, COMMUNICATION_TEXT)


LEAD_PERSONAL = {"contact_name": "", "contact_title": "", "phone": "", "email": ""}


def _same_person_q(person: ErasedPerson) -> Q:
    q = Q(contact_name=person.name)
    if person.phone:
        q |= Q(phone=person.phone)
    if person.email:
        q |= Q(email__iexact=person.email)
    return q


def _scrub_leads(person: ErasedPerson) -> int:
    """The customer's leads that carried this person (same name, phone or e-mail)."""
    customer_id = person.contact.customer_id
    values = {**LEAD_PERSONAL, "contact_name": person.placeholder}
    leads = Lead.objects.filter(customer_id=customer_id).filter(_same_person_q(person))
    person.touched.update((Lead._meta.label, pk) for pk in leads.values_list("pk", flat=True))
    count = leads.update(**values, phone_normalized="", email_normalized="")
    history = Lead.history.model.objects.filter(customer_id=customer_id).filter(_same_person_q(person))
    return count + history.update(**values)


def _purge_export_files(person: ErasedPerson) -> int:
    """Every finished export file of customers and leads made before the erasure may list
    the person: the files are deleted from disk (the export log stays)."""
    jobs = list(
        ExportJob.objects.select_for_update()
        .filter(resource__in=EXPORT_RESOURCES, state=ExportState.DONE, created_at__lte=timezone.now())
        .exclude(file="")
    )
    if not jobs:
        return 0
    storage = jobs[0].file.storage
    names = [job.file.name for job in jobs if job.file.name]
    ExportJob.objects.filter(pk__in=[job.pk for job in jobs]).update(file="")

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    # The files go once the erasure is committed (a rolled-back erasure keeps them).
    transaction.on_commit(delete_files)
    return len(jobs)


def _scrub_leads_text(person: ErasedPerson) -> int:
    """Every other text of this app: the customer's notes, visit plans (purpose, outcome),
    merge records, leads' free text; the contacts are scrubbed by :func:`contact_erase`."""
    return scrub_app("leads", person, skip=("Contact", "ContactErasure"))


def _scrub_core_text(person: ErasedPerson) -> int:
    """The core's copies: notifications (the bell's title and message), timers' context,
    export parameters, generated documents' titles and the recipients of what was sent
    (R-DOC); and the admin site's log (the names of the records changed there). Our own
    users are not the person. No e-mail is kept after sending (there is no outbox table)."""
    count = scrub_app("presales", person, skip=("User", "Team"))
    if django_apps.is_installed("django.contrib.admin"):
        count += scrub_app("admin", person)
    return count


def _withdraw_documents(person: ErasedPerson) -> int:
    """The generated PDFs of the customer's records (its opportunities, their solutions,
    bids, contracts …, and the review forms of reviews of them) and of every record whose
    text was scrubbed may print the person: withdrawn (files deleted, rendered again on
    request from the scrubbed data)."""
    documents = documents_of(person.contact.customer, records=person.touched)
    count = documents_withdraw(
        documents=documents,
        reason=_("Withdrawn when a contact's personal data was erased; ask for the document again."),
    )
    scrub_rows(DocumentDelivery.objects.filter(document__in=documents), person, ("recipient", "note"))
    return count


register_erasure_step("communications", _scrub_communications)
register_erasure_step("leads", _scrub_leads)
register_erasure_step("export_files", _purge_export_files)
register_erasure_step("leads_text", _scrub_leads_text)
register_erasure_step("core_text", _scrub_core_text)


@transaction.atomic
def contact_erase(*, contact: Contact, actor: User, reason: str, request_reference: str) -> ContactErasure:
    """R-CUST-8: erase the person's details everywhere; keep a tombstone. Administrators
    only; irreversible."""
    if not can_erase(actor):
        raise NotAllowed(_("Only an administrator can erase a contact's personal data."))
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = [_("Give the reason for the erasure.")]
    if not (request_reference or "").strip():
        errors["request_reference"] = [_("Give the reference of the person's request.")]
    if errors:
        raise DomainError(fields=errors)
    contact = Contact.objects.select_for_update().select_related("customer").get(pk=contact.pk)
    if contact.erased_at is not None:
        raise Conflict(_("This contact's personal data was already erased."), code="erased")
    placeholder = placeholder_for(contact.pk)
    person = ErasedPerson(
        contact=contact, name=contact.name, phone=contact.phone, email=contact.email, placeholder=placeholder
    )
    now = timezone.now()
    personal = {"name": placeholder, "title": "", "phone": "", "email": "", "notes": "", "language": ""}
    Contact.objects.filter(pk=contact.pk).update(
        **personal, phone_normalized="", email_normalized="", erased_at=now
    )
    counts = {
        "contact": 1,
        "contact_history": Contact.history.model.objects.filter(id=contact.pk).update(**personal),
    }
    for key, step in _steps.items():
        counts[key] = step(person)
    counts["documents"] = _withdraw_documents(person)
    return ContactErasure.objects.create(
        contact_id_erased=contact.pk,
        customer=contact.customer,
        erased_at=now,
        erased_by=actor,
        reason=reason.strip(),
        request_reference=request_reference.strip()[:100],
        counts=counts,
    )


def require_not_erased(contact: Contact) -> None:
    if contact.erased_at is not None:
        raise Conflict(
            _("This contact's personal data was erased: it can no longer be edited."), code="erased"
        )
