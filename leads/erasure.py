"""Erasure of a contact's personal data on request (R-CUST-8, 個人信息保護法).

:func:`contact_erase` (administrators only) overwrites the person's details everywhere they
were kept: the contact row, every history row of it, the text of the customer's
communications and their history (the name, phone and e-mail wherever they were copied),
the customer's leads that carried the same person and their history, and the finished
export files on disk of customers and leads (they may list the person). Apps above leads
scrub their own copies through :func:`register_erasure_step`. A tombstone
(:class:`~leads.models.ContactErasure`) keeps that the contact existed, who erased it, when,
why and on whose request, and how many rows each step scrubbed; there is no undo, and an
erased contact can no longer be edited (``leads.services`` refuses it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.models import CommunicationRecord, Contact, ContactErasure, Lead
from presales.accounts.models import User
from presales.core.errors import Conflict, DomainError, NotAllowed
from presales.core.roles import Role
from presales.exports.models import ExportJob, ExportState

# The export resources whose files may name a contact.
EXPORT_RESOURCES = ("customers", "leads", "contacts")
COMMUNICATION_TEXT = ("participants", "key_points", "customer_feedback", "concerns", "next_step", "place")


@dataclass(frozen=True)
class ErasedPerson:
    """What a step needs: the contact (already scrubbed), the details to look for, the
    placeholder that replaces the name."""

    contact: Contact
    name: str
    phone: str
    email: str
    placeholder: str


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


def _scrub_text(value: str, person: ErasedPerson) -> str:
    for needle in (person.name, person.phone, person.email):
        if needle and needle in value:
            value = value.replace(needle, person.placeholder if needle == person.name else "***")
    return value


def _needles_q(person: ErasedPerson, fields: tuple[str, ...]) -> Q:
    q = Q(pk__in=[])
    for needle in (person.name, person.phone, person.email):
        if needle:
            for field in fields:
                q |= Q(**{f"{field}__contains": needle})
    return q


def _scrub_rows(queryset: Any, person: ErasedPerson, fields: tuple[str, ...]) -> int:
    count = 0
    for row in queryset.filter(_needles_q(person, fields)):
        changes = {f: _scrub_text(getattr(row, f), person) for f in fields}
        queryset.model.objects.filter(pk=row.pk).update(**changes)
        count += 1
    return count


def _scrub_communications(person: ErasedPerson) -> int:
    records = CommunicationRecord.objects.filter(customer_id=person.contact.customer_id)
    history = CommunicationRecord.history.model.objects.filter(customer_id=person.contact.customer_id)
    return _scrub_rows(records, person, COMMUNICATION_TEXT) + _scrub_rows(history, person, COMMUNICATION_TEXT)


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


register_erasure_step("communications", _scrub_communications)
register_erasure_step("leads", _scrub_leads)
register_erasure_step("export_files", _purge_export_files)


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
    personal = {"name": placeholder, "title": "", "phone": "", "email": "", "notes": ""}
    Contact.objects.filter(pk=contact.pk).update(
        **personal, phone_normalized="", email_normalized="", erased_at=now
    )
    counts = {
        "contact": 1,
        "contact_history": Contact.history.model.objects.filter(id=contact.pk).update(**personal),
    }
    for key, step in _steps.items():
        counts[key] = step(person)
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
