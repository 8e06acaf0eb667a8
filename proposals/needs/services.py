"""Write use cases of the needs analysis (R-NEED-1..7).

Every service is keyword-only and atomic, locks the opportunity first (opportunities/locks.py:
the aggregate's one order), then the opportunity's ``NeedsAnalysis`` row (the requirement and
report counters), then the requirements it changes; checks that the actor may work the
opportunity (``opportunities.permissions.require_work``), validates, saves with the actor as
the audit author and schedules e-mails and notifications with ``transaction.on_commit``.

R-NEED-6: a change to the substance of a requirement the customer confirmed (or commented)
unconfirms it, stamps ``Requirement.changed_at`` and records a ``ChangeRequest`` (old and new
values): the customer re-confirms, and the solutions engineer marks versions written before
``changed_at`` as needing revision. A requirement added after the customer confirmed any
row of the list is a ``ChangeRequest`` of kind "added".
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from collaboration import services as collaboration_services
from collaboration.models import CollaborationRequest
from knowledge.choices import ArticleKind, ArticleStatus
from leads.models import CommunicationRecord, Contact
from opportunities.locks import lock_opportunity
from opportunities.models import Opportunity
from opportunities.permissions import can_work_opportunity, require_work
from presales.accounts.models import User
from presales.core.errors import Conflict, DomainError, NotAllowed, NotFound
from presales.core.errors import LinkRefused as BaseLinkRefused
from presales.core.uploads import Upload, save_upload, validate_upload
from presales.core.writes import apply_fields, check_version, delete_as, save_as, validate
from presales.sla.delivery import absolute_url
from presales.sla.notifications import Message, NotificationKind, notify_many, register_notification_kind
from proposals.choices import (
    ConfirmationMethod,
    ConfirmationStatus,
    Feasibility,
    RDRequestStatus,
    RequirementCategory,
    RequirementKind,
)
from proposals.models import (
    ChangeRequest,
    ConfirmationRequest,
    NeedsAnalysis,
    NeedsReport,
    OpportunityCommunication,
    RDRequest,
    Requirement,
    RequirementConfirmation,
)

logger = logging.getLogger(__name__)

# What a caller may write on a requirement (the form, the serializer, the import derive theirs).
REQUIREMENT_FIELDS = (
    "kind",
    "category",
    "description",
    "quantity",
    "priority",
    "key_metric",
    "feasibility",
    "feasibility_note",
    "alternative",
)
# R-NEED-6: what the customer confirmed; a change to any of these needs a new confirmation.
SUBSTANCE_FIELDS = (
    "kind",
    "category",
    "description",
    "quantity",
    "key_metric",
    "feasibility",
    "alternative",
)
SPIN_FIELDS = ("situation", "problem", "implication", "need_payoff")
CONFIRMATION_DAYS = 14
MAX_CONFIRMATION_DAYS = 60
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_EXTENSIONS = frozenset({"pdf", "png", "jpg", "jpeg", "eml", "msg", "txt"})

NEEDS_CONFIRMED = register_notification_kind(
    NotificationKind("needs_confirmed", gettext_lazy("Customer answers to needs confirmation lists"))
).kind
RD_REQUEST_ASKED = register_notification_kind(
    NotificationKind("rd_request_asked", gettext_lazy("R&D questions about requirements"))
).kind
RD_REQUEST_ANSWERED = register_notification_kind(
    NotificationKind("rd_request_answered", gettext_lazy("R&D answers to your questions"))
).kind


# --- locks -------------------------------------------------------------------------------


def _lock_analysis(opportunity_pk: int) -> tuple[Opportunity, NeedsAnalysis]:
    """The opportunity, then its needs analysis row (created on first use), both locked."""
    opportunity = lock_opportunity(opportunity_pk)
    NeedsAnalysis.objects.get_or_create(opportunity=opportunity)
    analysis = NeedsAnalysis.objects.select_for_update().get(opportunity=opportunity)
    analysis.opportunity = opportunity
    return opportunity, analysis


def _lock_requirement(requirement: Requirement) -> tuple[Opportunity, NeedsAnalysis, Requirement]:
    opportunity, analysis = _lock_analysis(requirement.opportunity_id)
    try:
        locked = Requirement.objects.select_for_update().get(pk=requirement.pk)
    except Requirement.DoesNotExist as exc:
        raise NotFound(_("This requirement was deleted meanwhile.")) from exc
    locked.opportunity = opportunity
    return opportunity, analysis, locked


def _require_open(opportunity: Opportunity) -> None:
    if not opportunity.is_open:
        raise Conflict(_("The opportunity is closed: its needs can no longer change."), code="closed")


def _writable(actor: User, opportunity_pk: int) -> tuple[Opportunity, NeedsAnalysis]:
    opportunity, analysis = _lock_analysis(opportunity_pk)
    require_work(actor, opportunity)
    _require_open(opportunity)
    return opportunity, analysis


# --- SPIN notes (R-NEED-1) ---------------------------------------------------------------


def needs_analysis_of(opportunity: Opportunity) -> NeedsAnalysis:
    """The opportunity's needs analysis as stored, or an unsaved empty one (reads only)."""
    found = NeedsAnalysis.objects.filter(opportunity=opportunity).first()
    return found or NeedsAnalysis(opportunity=opportunity)


@transaction.atomic
def spin_notes_save(
    *, actor: User, opportunity: Opportunity, data: Mapping[str, Any], expected_version: int | None = None
) -> NeedsAnalysis:
    """Write the SPIN notes (situation, problem, implication, need-payoff) of the opportunity."""
    _opportunity, analysis = _writable(actor, opportunity.pk)
    check_version(analysis, expected_version)
    apply_fields(analysis, {k: str(v or "").strip() for k, v in data.items()}, SPIN_FIELDS)
    validate(analysis)
    save_as(analysis, actor)
    return analysis


# --- requirements (R-NEED-2, R-NEED-6) -----------------------------------------------------


def _clean_requirement(requirement: Requirement) -> None:
    for name in ("description", "key_metric", "feasibility_note", "alternative"):
        setattr(requirement, name, str(getattr(requirement, name) or "").strip())
    if requirement.quantity is not None and Decimal(requirement.quantity) < 0:
        raise DomainError(fields={"quantity": [_("The quantity cannot be negative.")]})
    if requirement.feasibility == Feasibility.NOT_FEASIBLE and not requirement.feasibility_note:
        raise DomainError(fields={"feasibility_note": [_("Say why the requirement is not feasible.")]})
    validate(requirement, exclude=["opportunity", "created_by", "number"])


def _list_confirmed(opportunity: Opportunity) -> bool:
    """The customer has confirmed some row of the list: what is added now is a change."""
    return RequirementConfirmation.objects.filter(
        requirement__opportunity=opportunity, status=ConfirmationStatus.CONFIRMED
    ).exists()


def _values(requirement: Requirement, names: Iterable[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in names:
        value = getattr(requirement, name)
        out[name] = str(value) if isinstance(value, Decimal) else value
    return out


def _create_requirement(
    *, actor: User, opportunity: Opportunity, analysis: NeedsAnalysis, data: Mapping[str, Any], changed: bool
) -> Requirement:
    requirement = Requirement(opportunity=opportunity, created_by=actor)
    apply_fields(requirement, data, REQUIREMENT_FIELDS)
    _clean_requirement(requirement)
    analysis.last_number += 1
    requirement.number = analysis.last_number
    last = Requirement.objects.filter(opportunity=opportunity).aggregate(p=Max("position"))["p"]
    requirement.position = (last or 0) + 1
    save_as(requirement, actor)
    if changed:
        requirement.changed_at = timezone.now()
        requirement.feasibility_review_due = True
        requirement.save(update_fields=["changed_at", "feasibility_review_due"])
        ChangeRequest.objects.create(
            opportunity=opportunity,
            requirement=requirement,
            kind=ChangeRequest.Kind.ADDED,
            new_values=_values(requirement, SUBSTANCE_FIELDS),
            created_by=actor,
        )
    return requirement


@transaction.atomic
def requirement_create(*, actor: User, opportunity: Opportunity, data: Mapping[str, Any]) -> Requirement:
    """Add a requirement with the next number of the opportunity (REQ-001 …, never reused).
    Added after the customer confirmed the list, it is a change request (R-NEED-6)."""
    opportunity, analysis = _writable(actor, opportunity.pk)
    requirement = _create_requirement(
        actor=actor,
        opportunity=opportunity,
        analysis=analysis,
        data=data,
        changed=_list_confirmed(opportunity),
    )
    analysis.save(update_fields=["last_number", "updated_at"])
    return requirement


@transaction.atomic
def requirements_create_many(
    *, actor: User, opportunity: Opportunity, rows: list[Mapping[str, Any]]
) -> list[Requirement]:
    """Add several requirements in one transaction (bulk paste, import): every row valid or
    none saved. A row's errors are raised as fields ``row <n>.<field>`` (1-based)."""
    opportunity, analysis = _writable(actor, opportunity.pk)
    changed = _list_confirmed(opportunity)
    created: list[Requirement] = []
    errors: dict[str, list[str]] = {}
    for index, row in enumerate(rows, start=1):
        try:
            with transaction.atomic():
                created.append(
                    _create_requirement(
                        actor=actor, opportunity=opportunity, analysis=analysis, data=row, changed=changed
                    )
                )
        except DomainError as exc:
            for name, messages in exc.fields.items():
                errors[f"row {index}.{name}"] = messages
            if not exc.fields:
                errors[f"row {index}.row"] = [exc.message]
    if errors:
        raise DomainError(
            _("No row was imported: correct the rows listed."), code="invalid_rows", fields=errors
        )
    if not created:
        raise DomainError(_("There is no row to import."), code="empty")
    analysis.save(update_fields=["last_number", "updated_at"])
    return created


def requirements_from_template(*, actor: User, opportunity: Opportunity, template: Any) -> list[Requirement]:
    """R-KB-1: pre-fill the requirement list from an industry needs template of the knowledge
    base (行業客戶需求分析表): each item becomes a requirement (rigid or flexible as the item
    says; its category when it names one of ours, otherwise a function), all or none, through
    the same path as an import (the list's rules, its numbering, a confirmed list's change)."""
    if template.kind != ArticleKind.NEEDS_TEMPLATE or template.status != ArticleStatus.PUBLISHED:
        raise DomainError(fields={"template": [_("Choose a published industry needs template.")]})
    items = list(template.needs_items.all())
    if not items:
        raise DomainError(fields={"template": [_("This template has no requirement items.")]})
    categories = {value: value for value in RequirementCategory.values}
    for language in ("en", "zh-hans", "zh-hant"):  # a category named in any of our languages
        with translation.override(language):
            categories.update({str(label): value for value, label in RequirementCategory.choices})
    rows: list[Mapping[str, Any]] = [
        {
            "kind": RequirementKind.RIGID if item.rigid else RequirementKind.FLEXIBLE,
            "category": categories.get(item.category.strip(), RequirementCategory.FUNCTION),
            "description": item.description,
        }
        for item in items
    ]
    return requirements_create_many(actor=actor, opportunity=opportunity, rows=rows)


@transaction.atomic
def requirement_update(
    *, actor: User, requirement: Requirement, data: Mapping[str, Any], expected_version: int | None = None
) -> Requirement:
    """Edit a requirement. A change of substance to a confirmed (or commented) requirement
    unconfirms it and records a change request with the old and new values (R-NEED-6)."""
    opportunity, _analysis, requirement = _lock_requirement(requirement)
    require_work(actor, opportunity)
    _require_open(opportunity)
    check_version(requirement, expected_version)
    before = _values(requirement, SUBSTANCE_FIELDS)
    before_note = requirement.feasibility_note
    apply_fields(requirement, data, REQUIREMENT_FIELDS)
    _clean_requirement(requirement)
    after = _values(requirement, SUBSTANCE_FIELDS)
    changed = {k for k in SUBSTANCE_FIELDS if before[k] != after[k]}
    reassessed = bool(changed & {"feasibility"}) or before_note != requirement.feasibility_note
    if reassessed:
        requirement.feasibility_review_due = False
    if changed and requirement.confirmation_status != ConfirmationStatus.UNCONFIRMED:
        now = timezone.now()
        ChangeRequest.objects.create(
            opportunity=opportunity,
            requirement=requirement,
            kind=ChangeRequest.Kind.CHANGED,
            old_values={k: before[k] for k in sorted(changed)},
            new_values={k: after[k] for k in sorted(changed)},
            created_by=actor,
        )
        requirement.confirmation_status = ConfirmationStatus.UNCONFIRMED
        requirement.confirmed_by_name = ""
        requirement.confirmed_contact = None
        requirement.confirmation_method = ""
        requirement.confirmed_at = None
        requirement.confirmation_comment = ""
        requirement.changed_at = now
        requirement.feasibility_review_due = not reassessed
    save_as(requirement, actor)
    return requirement


@transaction.atomic
def requirement_delete(*, actor: User, requirement: Requirement) -> None:
    """Remove a requirement; its number is not given again. A confirmed requirement cannot be
    deleted: change it (a change request) or agree an alternative with the customer."""
    opportunity, _analysis, requirement = _lock_requirement(requirement)
    require_work(actor, opportunity)
    _require_open(opportunity)
    if requirement.confirmations.exists():
        raise Conflict(
            _("The customer has answered on this requirement: it cannot be deleted, only changed."),
            code="confirmed",
        )
    delete_as(requirement, actor)


@transaction.atomic
def requirements_reorder(*, actor: User, opportunity: Opportunity, ids: list[int]) -> list[Requirement]:
    """Set the order of the opportunity's requirements: ``ids`` lists every one of them once."""
    opportunity, _analysis = _writable(actor, opportunity.pk)
    rows = list(Requirement.objects.select_for_update().filter(opportunity=opportunity))
    by_id = {r.pk: r for r in rows}
    try:
        wanted = [int(i) for i in ids]
    except (TypeError, ValueError) as exc:
        raise DomainError(fields={"ids": [_("Give the requirements' ids in their new order.")]}) from exc
    if len(wanted) != len(set(wanted)) or set(wanted) != set(by_id):
        raise DomainError(fields={"ids": [_("List every requirement of the opportunity exactly once.")]})
    changed = []
    for position, pk in enumerate(wanted, start=1):
        requirement = by_id[pk]
        if requirement.position != position:
            requirement.position = position
            changed.append(requirement)
    if changed:
        Requirement.objects.bulk_update(changed, ["position"])
    return sorted(rows, key=lambda r: r.position)


@transaction.atomic
def requirement_move(*, actor: User, requirement: Requirement, offset: int) -> list[Requirement]:
    """Move a requirement up (-1) or down (+1) in its list (the page's arrows)."""
    ids = list(
        Requirement.objects.filter(opportunity_id=requirement.opportunity_id)
        .order_by("position", "number")
        .values_list("pk", flat=True)
    )
    if requirement.pk not in ids:
        raise NotFound()
    index = ids.index(requirement.pk)
    target = min(max(index + offset, 0), len(ids) - 1)
    ids.insert(target, ids.pop(index))
    return requirements_reorder(actor=actor, opportunity=requirement.opportunity, ids=ids)


# --- confirmation (R-NEED-3) ---------------------------------------------------------------


def _apply_confirmation(
    requirement: Requirement,
    *,
    actor: User | None,
    status: str,
    confirmer_name: str,
    contact: Contact | None,
    method: str,
    at: datetime,
    comment: str,
    evidence: UploadedFile | None = None,
    request: ConfirmationRequest | None = None,
) -> RequirementConfirmation:
    """Record one answer on a locked requirement: the history row and the row's state."""
    row = RequirementConfirmation(
        requirement=requirement,
        status=status,
        confirmer_name=confirmer_name,
        contact=contact,
        method=method,
        comment=comment,
        request=request,
        recorded_by=actor,
        at=at,
    )
    if evidence is not None:
        # A random name of our own: the uploader's file name is not trusted.
        save_upload(row.evidence, evidence, validate_evidence(evidence))
    row.save()
    requirement.confirmation_status = status
    requirement.confirmed_by_name = confirmer_name
    requirement.confirmed_contact = contact
    requirement.confirmation_method = method
    requirement.confirmed_at = at
    requirement.confirmation_comment = comment
    save_as(requirement, actor)
    if status == ConfirmationStatus.CONFIRMED:
        ChangeRequest.objects.filter(requirement=requirement, resolved_at__isnull=True).update(resolved_at=at)
    return row


def validate_evidence(evidence: UploadedFile | None, *, field: str = "evidence") -> Upload:
    """The evidence of an e-mail or signed-scan confirmation: a PDF, image, saved e-mail or
    text file of at most 10 MB, its type checked by content (presales/core/uploads.py)."""
    if evidence is None:
        raise DomainError(fields={field: [_("Upload the customer's e-mail or the signed scan.")]})
    return validate_upload(evidence, field=field, allowed=EVIDENCE_EXTENSIONS, limit=EVIDENCE_MAX_BYTES)


@transaction.atomic
def requirement_confirmation_record(
    *,
    actor: User,
    requirement: Requirement,
    method: str,
    confirmer_name: str = "",
    contact: Contact | None = None,
    confirmed_at: datetime | None = None,
    status: str = ConfirmationStatus.CONFIRMED,
    comment: str = "",
    evidence: UploadedFile | None = None,
    expected_version: int | None = None,
) -> RequirementConfirmation:
    """The engineer records the customer's confirmation received by e-mail or as a signed
    scan (R-NEED-3), with the evidence uploaded. The link's answers come through
    :func:`confirmation_answer`."""
    opportunity, _analysis, requirement = _lock_requirement(requirement)
    require_work(actor, opportunity)
    _require_open(opportunity)
    check_version(requirement, expected_version)
    errors: dict[str, list[str]] = {}
    if method not in (ConfirmationMethod.EMAIL, ConfirmationMethod.SCAN):
        errors["method"] = [_("Choose e-mail or signed scan (the link records its own answers).")]
    if status not in (ConfirmationStatus.CONFIRMED, ConfirmationStatus.COMMENTED):
        errors["status"] = [_("Choose confirmed or commented.")]
    if contact is not None and contact.customer_id != opportunity.customer_id:
        errors["contact"] = [_("Choose a contact of the opportunity's customer.")]
    confirmer_name = str(confirmer_name or "").strip() or (contact.name if contact is not None else "")
    if not confirmer_name:
        errors["confirmer_name"] = [_("Say who confirmed.")]
    comment = str(comment or "").strip()
    if status == ConfirmationStatus.COMMENTED and not comment:
        errors["comment"] = [_("Write the customer's comment.")]
    now = timezone.now()
    at = confirmed_at or now
    if at > now + timedelta(minutes=5):
        errors["confirmed_at"] = [_("The confirmation cannot be in the future.")]
    if errors:
        raise DomainError(fields=errors)
    validate_evidence(evidence)
    return _apply_confirmation(
        requirement,
        actor=actor,
        status=status,
        confirmer_name=confirmer_name[:100],
        contact=contact,
        method=method,
        at=at,
        comment=comment,
        evidence=evidence,
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def confirmation_url(token: str) -> str:
    return absolute_url(reverse("proposals:needs_confirm_public", args=[token]))


def _send_confirmation_email(request_pk: int, token: str) -> None:
    """After commit: the link to the contact, in their language (a failing mail server never
    fails the request; the engineer sees the request and can send another)."""
    request = ConfirmationRequest.objects.select_related("opportunity__customer", "contact", "sent_by").get(
        pk=request_pk
    )
    params = {
        "customer": request.opportunity.customer.name,
        "sender": str(request.sent_by),
        "url": confirmation_url(token),
        "expires": timezone.localtime(request.expires_at).strftime("%Y-%m-%d %H:%M"),
    }
    with translation.override(request.contact.preferred_language()):
        subject = _("Please confirm your requirements (%(customer)s)") % params
        body = (
            _(
                "%(sender)s asks you to confirm the requirements we recorded for %(customer)s, row by "
                "row. Open this link (no account needed); it works until %(expires)s:\n\n%(url)s"
            )
            % params
        )
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [request.contact.email])
    except Exception:  # a mail server that is down must not break the committed request
        logger.exception("Could not send the needs confirmation link of request %s", request_pk)


@transaction.atomic
def confirmation_request_create(
    *,
    actor: User,
    opportunity: Opportunity,
    contact: Contact,
    requirement_ids: Iterable[int] | None = None,
    days: int = CONFIRMATION_DAYS,
) -> tuple[ConfirmationRequest, str]:
    """Send the needs confirmation list (客戶需求確認清單) to a contact of the customer
    (R-NEED-3): a request naming exactly the requirements shown, and a single-purpose link
    that expires. Returns the request and the link's token (stored only as its hash)."""
    opportunity, _analysis = _writable(actor, opportunity.pk)
    errors: dict[str, list[str]] = {}
    if contact.customer_id != opportunity.customer_id:
        errors["contact"] = [_("Choose a contact of the opportunity's customer.")]
    elif not contact.email:
        errors["contact"] = [_("This contact has no e-mail address.")]
    if not 1 <= int(days) <= MAX_CONFIRMATION_DAYS:
        errors["days"] = [_("The link works between 1 and %(max)s days.") % {"max": MAX_CONFIRMATION_DAYS}]
    existing = list(
        Requirement.objects.filter(opportunity=opportunity)
        .order_by("position", "number")
        .values_list("pk", flat=True)
    )
    if requirement_ids is None:
        ids = existing
    else:
        chosen = {int(i) for i in requirement_ids}
        if not chosen.issubset(existing):
            errors["requirement_ids"] = [_("Choose requirements of this opportunity.")]
        ids = [pk for pk in existing if pk in chosen]
    if not ids and "requirement_ids" not in errors:
        errors["requirement_ids"] = [_("There is no requirement to confirm.")]
    if errors:
        raise DomainError(fields=errors)
    token = secrets.token_urlsafe(32)
    request = ConfirmationRequest.objects.create(
        opportunity=opportunity,
        contact=contact,
        token_hash=token_hash(token),
        requirement_ids=ids,
        expires_at=timezone.now() + timedelta(days=int(days)),
        sent_by=actor,
    )
    transaction.on_commit(lambda: _send_confirmation_email(request.pk, token), robust=True)
    return request, token


@transaction.atomic
def confirmation_request_revoke(*, actor: User, request: ConfirmationRequest) -> ConfirmationRequest:
    """Revoke the link: from now on it opens nothing."""
    opportunity, _analysis = _lock_analysis(request.opportunity_id)
    require_work(actor, opportunity)
    request = ConfirmationRequest.objects.select_for_update().get(pk=request.pk)
    if request.revoked_at is None:
        request.revoked_at = timezone.now()
        request.save(update_fields=["revoked_at"])
    return request


class LinkRefused(BaseLinkRefused):
    """The confirmation link opens nothing: unknown, tampered, expired, revoked or spent.
    ``gone`` says it existed (410) without saying which request it was."""

    default_message = gettext_lazy("This confirmation link is not valid (any more).")


def confirmation_request_for_token(token: str, *, now: datetime | None = None) -> ConfirmationRequest:
    """The open request the link's token names, or :class:`LinkRefused`."""
    now = now or timezone.now()
    if not token or len(token) > 100:
        raise LinkRefused()
    request = (
        ConfirmationRequest.objects.select_related("opportunity__customer", "contact")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if request is None:
        raise LinkRefused()
    if request.state(now) != "open":
        raise LinkRefused(gone=True)
    return request


def confirmation_rows(request: ConfirmationRequest) -> list[Requirement]:
    """The requirements of the list, in its order (deleted ones left out)."""
    rows = {
        r.pk: r
        for r in Requirement.objects.filter(
            opportunity_id=request.opportunity_id, pk__in=request.requirement_ids
        )
    }
    return [rows[pk] for pk in request.requirement_ids if pk in rows]


def _notify_confirmed(request: ConfirmationRequest, confirmed: int, commented: int) -> None:
    """The sender and the opportunity's owners hear the customer answered (bell, e-mail by
    preference, team robot)."""
    opportunity = request.opportunity
    ids = {
        pk
        for pk in (request.sent_by_id, opportunity.presales_owner_id, opportunity.sales_owner_id)
        if pk is not None
    }
    people = User.objects.filter(pk__in=ids, is_active=True).order_by("pk")
    url = reverse("proposals:needs", args=[opportunity.pk])
    messages = []
    for person in people:
        with translation.override(person.language or settings.LANGUAGE_CODE):
            params = {
                "contact": request.contact.name,
                "opportunity": opportunity.title,
                "confirmed": confirmed,
                "commented": commented,
            }
            title = _("Needs confirmed by %(contact)s: %(opportunity)s") % params
            body = _("%(contact)s confirmed %(confirmed)s requirements and commented %(commented)s.") % params
        messages.append(
            Message(
                recipient=person,
                kind=NEEDS_CONFIRMED,
                key=f"needs-confirmation:{request.pk}:to:{person.pk}",
                title=title,
                body=body,
                url=url,
                event=f"needs-confirmation:{request.pk}",
            )
        )
    notify_many(messages)


@transaction.atomic
def confirmation_answer(
    *, token: str, answers: Mapping[int, Mapping[str, Any]], now: datetime | None = None
) -> ConfirmationRequest:
    """The contact's answers through the link (no account): for every row of the list,
    ``{"status": "confirmed" | "commented", "comment": str, "version": int}``. Every row is
    answered at once; the link is then spent (a replay is refused). A row changed since the
    page was read (its ``version``) is refused: the contact reloads and sees the new text."""
    now = now or timezone.now()
    request = confirmation_request_for_token(token, now=now)
    lock_opportunity(request.opportunity_id)
    request = (
        ConfirmationRequest.objects.select_for_update()
        .select_related("opportunity__customer", "contact")
        .get(pk=request.pk)
    )
    if request.state(now) != "open":
        raise LinkRefused(gone=True)
    rows = list(
        Requirement.objects.select_for_update()
        .filter(opportunity_id=request.opportunity_id, pk__in=request.requirement_ids)
        .order_by("position", "number")
    )
    errors: dict[str, list[str]] = {}
    for requirement in rows:
        answer = answers.get(requirement.pk) or {}
        status = answer.get("status")
        field = f"row_{requirement.pk}"
        if status not in (ConfirmationStatus.CONFIRMED, ConfirmationStatus.COMMENTED):
            errors[field] = [_("Confirm this requirement or comment on it.")]
        elif status == ConfirmationStatus.COMMENTED and not str(answer.get("comment") or "").strip():
            errors[field] = [_("Write your comment.")]
        version = answer.get("version")
        if version is not None and str(version) != str(requirement.version):
            raise Conflict(
                _("The list changed since you opened it; reload the page and answer again."), code="stale"
            )
    if errors:
        raise DomainError(fields=errors)
    counts = {ConfirmationStatus.CONFIRMED: 0, ConfirmationStatus.COMMENTED: 0}
    for requirement in rows:
        answer = answers[requirement.pk]
        _apply_confirmation(
            requirement,
            actor=None,
            status=answer["status"],
            confirmer_name=request.contact.name,
            contact=request.contact,
            method=ConfirmationMethod.LINK,
            at=now,
            comment=str(answer.get("comment") or "").strip(),
            request=request,
        )
        counts[answer["status"]] += 1
    request.completed_at = now
    request.save(update_fields=["completed_at"])
    _notify_confirmed(request, counts[ConfirmationStatus.CONFIRMED], counts[ConfirmationStatus.COMMENTED])
    return request


# --- meetings, site visits, surveys (R-NEED-1, R-COMM-2) --------------------------------------


@transaction.atomic
def communication_link(
    *, actor: User, opportunity: Opportunity, communication: CommunicationRecord, purpose: str
) -> OpportunityCommunication:
    """Link a communication record of the opportunity's customer (a meeting, a site visit,
    a survey) to the opportunity's needs analysis; linking it again changes the purpose."""
    opportunity, _analysis = _writable(actor, opportunity.pk)
    if communication.customer_id != opportunity.customer_id:
        raise DomainError(
            fields={"communication": [_("Choose a communication record of the opportunity's customer.")]}
        )
    if purpose not in OpportunityCommunication.Purpose.values:
        raise DomainError(fields={"purpose": [_("Choose meeting, site visit or survey.")]})
    link, created = OpportunityCommunication.objects.get_or_create(
        opportunity=opportunity,
        communication=communication,
        defaults={"purpose": purpose, "created_by": actor},
    )
    if not created and link.purpose != purpose:
        link.purpose = purpose
        link.save(update_fields=["purpose"])
    return link


@transaction.atomic
def communication_unlink(*, actor: User, link: OpportunityCommunication) -> None:
    _writable(actor, link.opportunity_id)
    link.delete()


# --- R&D requests (R-NEED-5) -----------------------------------------------------------------


@transaction.atomic
def rd_request_create(*, actor: User, requirement: Requirement, question: str, assignee: User) -> RDRequest:
    """Ask R&D about a requirement that needs R&D; the assignee is told."""
    opportunity, _analysis, requirement = _lock_requirement(requirement)
    require_work(actor, opportunity)
    errors: dict[str, list[str]] = {}
    if requirement.feasibility != Feasibility.NEEDS_RD:
        errors["requirement"] = [_("Only a requirement that needs R&D goes to R&D.")]
    question = str(question or "").strip()
    if not question:
        errors["question"] = [_("Write the question for R&D.")]
    if not assignee.is_active:
        errors["assignee"] = [_("This person's account is deactivated.")]
    if errors:
        raise DomainError(fields=errors)
    # R-NEED-5 (issue 14): the question is also a collaboration request to R&D.
    collab = collaboration_services.request_for_rd_question(
        actor=actor,
        item=f"{requirement.code}: {question}"[:200],
        description=question,
        opportunity=opportunity,
    )
    rd = RDRequest.objects.create(
        requirement=requirement,
        question=question,
        asked_by=actor,
        assignee=assignee,
        collaboration_request=collab,
    )
    _notify_rd(rd, assignee, RD_REQUEST_ASKED, actor=actor)
    return rd


def rd_request_answer_from_collaboration(request: CollaborationRequest, *, actor: User) -> None:
    """R-NEED-5 (issue 14): the completed collaboration request's result becomes the answer of
    the R&D requests it carries (kept with the requirement); the askers are told. Registered
    with ``collaboration.hooks`` from ``ProposalsConfig.ready()``; runs in the completing
    transaction."""
    now = timezone.now()
    for rd in (
        RDRequest.objects.select_for_update()
        .select_related("requirement", "asked_by")
        .filter(collaboration_request_id=request.pk, status=RDRequestStatus.OPEN)
        .order_by("pk")
    ):
        rd.answer = request.result
        rd.answered_by = actor
        rd.answered_at = now
        rd.status = RDRequestStatus.ANSWERED
        rd.save()
        _notify_rd(rd, rd.asked_by, RD_REQUEST_ANSWERED, actor=actor)


@transaction.atomic
def rd_request_answer(*, actor: User, rd_request: RDRequest, answer: str) -> RDRequest:
    """The assignee (or whoever may work the opportunity) answers; the asker is told. The
    answer stays with the requirement. R-NEED-5: the collaboration request that carries the
    question is completed with the answer as its result (accepted first if nobody had yet),
    through the collaboration's moves: its timers are satisfied and its requester is told;
    its completion hook, which writes an answer back here, is not run again.

    Locks: the opportunity's (the requirement's aggregate), then the collaboration request,
    then the R&D request: the order in which completing the collaboration request reaches the
    R&D request (``rd_request_answer_from_collaboration``), so the two routes cannot deadlock."""
    _opportunity, _analysis, requirement = _lock_requirement(rd_request.requirement)
    collab_id = (
        RDRequest.objects.filter(pk=rd_request.pk).values_list("collaboration_request_id", flat=True).get()
    )
    if collab_id is not None:
        CollaborationRequest.objects.select_for_update().filter(pk=collab_id).first()
    rd = RDRequest.objects.select_for_update().get(pk=rd_request.pk)
    if actor.pk != rd.assignee_id and not can_work_opportunity(actor, requirement.opportunity):
        raise NotAllowed(_("Only the person asked, or the opportunity's team, answers."))
    if rd.status == RDRequestStatus.ANSWERED:
        raise Conflict(_("This question was answered already."), code="answered")
    answer = str(answer or "").strip()
    if not answer:
        raise DomainError(fields={"answer": [_("Write the answer.")]})
    rd.answer = answer
    rd.answered_by = actor
    rd.answered_at = timezone.now()
    rd.status = RDRequestStatus.ANSWERED
    rd.save()
    if rd.collaboration_request is not None:
        collaboration_services.request_complete_with_answer(
            actor=actor, request=rd.collaboration_request, result=answer
        )
    _notify_rd(rd, rd.asked_by, RD_REQUEST_ANSWERED, actor=actor)
    return rd


def _notify_rd(rd: RDRequest, recipient: User, kind: str, *, actor: User) -> None:
    if recipient.pk == actor.pk or not recipient.is_active:
        return
    requirement = rd.requirement
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        params = {"code": requirement.code, "question": rd.question[:200], "answer": rd.answer[:500]}
        if kind == RD_REQUEST_ASKED:
            title = _("R&D question on %(code)s") % params
            body = _("Question: %(question)s") % params
        else:
            title = _("R&D answered on %(code)s") % params
            body = _("Question: %(question)s\nAnswer: %(answer)s") % params
    notify_many(
        [
            Message(
                recipient=recipient,
                kind=kind,
                key=f"rd-request:{rd.pk}:{kind}:to:{recipient.pk}",
                title=title,
                body=body,
                url=reverse("proposals:needs", args=[requirement.opportunity_id]),
            )
        ]
    )


# --- needs report (R-NEED-7) ---------------------------------------------------------------


def report_content(opportunity: Opportunity, analysis: NeedsAnalysis) -> dict[str, Any]:
    """What the report prints: the customer, the SPIN notes, the requirements with their
    confirmation (labels kept as codes; the reader's language renders them)."""
    requirements = Requirement.objects.filter(opportunity=opportunity).order_by("position", "number")
    return {
        "customer": opportunity.customer.name,
        "opportunity": opportunity.title,
        "spin": {name: getattr(analysis, name) for name in SPIN_FIELDS},
        "requirements": [
            {
                "id": r.pk,
                "code": r.code,
                **_values(r, REQUIREMENT_FIELDS),
                "confirmation_status": r.confirmation_status,
                "confirmed_by_name": r.confirmed_by_name,
                "confirmation_method": r.confirmation_method,
                "confirmed_at": r.confirmed_at.isoformat() if r.confirmed_at else None,
                "confirmation_comment": r.confirmation_comment,
            }
            for r in requirements
        ],
    }


@transaction.atomic
def needs_report_create(*, actor: User, opportunity: Opportunity) -> NeedsReport:
    """Freeze the SPIN notes and requirements as the next version of the needs report."""
    opportunity, analysis = _lock_analysis(opportunity.pk)
    require_work(actor, opportunity)
    analysis.last_report_number += 1
    analysis.save(update_fields=["last_report_number", "updated_at"])
    return NeedsReport.objects.create(
        opportunity=opportunity,
        number=analysis.last_report_number,
        content=report_content(opportunity, analysis),
        created_by=actor,
    )
