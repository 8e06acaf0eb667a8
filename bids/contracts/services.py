"""Write use cases of contracts (R-CON-1..4, R-REV-4, R-REV-5, R-SOL-6).

Every service is keyword-only and atomic, locks the opportunity then the contract
(bids/contracts/locks.py), checks permission and gates inside, writes, and records history.
One door for the status: :func:`_write_move` (with its ``ContractStatusChange`` row). Views,
the API, the admin and the review engine's callbacks all call these.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from bids import hooks
from bids.contracts import notifications, selectors
from bids.contracts.choices import (
    EDITABLE_STATUSES,
    ClauseKey,
    ClauseLanguage,
    ContractStatus,
    SignatoryCapacity,
    SigningMethod,
)
from bids.contracts.locks import lock_contract
from bids.models import (
    ClauseChange,
    ClauseTemplate,
    Contract,
    ContractLine,
    ContractStatusChange,
    NegotiationMinute,
)
from opportunities.choices import OPEN_STAGES
from opportunities.locks import lock_opportunity
from opportunities.models import Opportunity
from opportunities.permissions import require_work
from presales.accounts.models import User
from presales.core.errors import DomainError, GateRefused, NotAllowed
from presales.core.roles import Role
from presales.core.uploads import Upload, save_upload, validate_upload
from presales.core.writes import apply_fields, check_version, delete_as, save_as, validate
from presales.sla.defaults import CONTRACT_ARCHIVE
from presales.sla.services import timer_satisfy, timer_start
from proposals.solutions.money import amounts, totals

REVIEW_KIND = "contract"
# What a caller may write on a contract / a line: the one declaration forms, the API and the admin use.
TERM_FIELDS = (
    "number",
    "title",
    "fx_rate_to_cny",
    "fx_rate_date",
    "party_customer",
    "party_company",
    "scope",
    "price_terms",
    "payment_terms",
    "delivery_time",
    "delivery_place",
    "acceptance_criteria",
    "obligations",
    "warranty",
    "liability",
    "confidentiality",
    "dispute_resolution",
)
# R-CON-5: the terms negotiated with the customer; a change to one of them while the contract
# is in review or rejected waits for the customer's confirmation before it is submitted again.
NEGOTIATED_FIELDS = tuple(
    f for f in TERM_FIELDS if f not in ("number", "title", "fx_rate_to_cny", "fx_rate_date")
)
CLAUSE_FIELDS = tuple(ClauseKey.values)
DURING_APPROVAL = (ContractStatus.IN_REVIEW, ContractStatus.REJECTED)
MINUTE_FIELDS = ("held_on", "our_attendees", "customer_attendees", "summary")
LINE_FIELDS = (
    "item",
    "specification",
    "quantity",
    "unit",
    "unit_price",
    "tax_rate",
    "tax_inclusive",
    "explanation",
)
# A change to one of these is a change of the reviewed facts (R-REV-5); an explanation is not.
LINE_REVIEWED_FIELDS = tuple(f for f in LINE_FIELDS if f != "explanation")
SIGN_FIELDS = (
    "customer_signatory_name",
    "customer_signatory_title",
    "customer_authorisation_ref",
    "our_signatory_name",
    "our_signatory_capacity",
    "signing_method",
    "signed_on",
)
SCAN_EXTENSIONS = frozenset({"pdf", "jpg", "jpeg", "png"})
SCAN_MAX_BYTES = 20 * 1024 * 1024


def _write_move(contract: Contract, to: str, move: str, *, actor: User, note: str = "") -> None:
    """The one door of a contract's status, with its history row."""
    old = contract.status
    contract.status = to
    ContractStatusChange.objects.create(
        contract=contract, move=move, actor=actor, note=note, from_status=old, to_status=to
    )


def _set_figures(line: ContractLine) -> None:
    a = amounts(
        quantity=line.quantity,
        unit_cost=Decimal("0"),
        unit_price=line.unit_price,
        tax_rate=line.tax_rate,
        tax_inclusive=line.tax_inclusive,
    )
    line.price_excl, line.tax, line.price_incl = a.price_excl, a.tax, a.price_incl


def _recompute_amount(contract: Contract) -> None:
    lines = list(contract.lines.all())
    contract.amount = sum((line.price_incl for line in lines), Decimal("0.00"))
    contract.amount_excl_tax = sum((line.price_excl for line in lines), Decimal("0.00"))


def _save_amount(contract: Contract, actor: User) -> None:
    """Save the contract after its amount was (re)computed, and tell the areas that follow it
    (bids/hooks.py ``register_on_amount_set``: the payment plan's instalments)."""
    save_as(contract, actor)
    hooks.run_on_amount_set(contract=contract, actor=actor)


def _check_open(opportunity: Opportunity) -> None:
    if opportunity.stage not in OPEN_STAGES:
        raise DomainError(_("The opportunity is closed."), code="closed")


def _reviewed_facts_changed(contract: Contract, *, actor: User, what: str) -> None:
    """R-REV-5: the amount, terms or lines of a contract in review or approved changed: its
    review is withdrawn, or its approval lapses; either way it is a draft again."""
    from reviews.services import review_cancel_for_subject

    note = _("Changed after submission: %(what)s") % {"what": what}
    if contract.status == ContractStatus.IN_REVIEW:
        review_cancel_for_subject(actor=actor, subject=contract, reason=note)
        contract.refresh_from_db()
    elif contract.status == ContractStatus.APPROVED:
        _write_move(contract, ContractStatus.DRAFT, "reopen", actor=actor, note=note)
        contract.decided_at = None


def contract_reviewed_facts_changed(*, actor: User, contract: Contract, what: str) -> None:
    """A fact the contract's review covers changed outside the contract's own row (its
    payment plan, R-PAY-1, R-CON-1): a contract in review has its review withdrawn, an
    approved one goes back to draft (R-REV-5). The caller holds the contract's lock."""
    if contract.status in (ContractStatus.IN_REVIEW, ContractStatus.APPROVED):
        _reviewed_facts_changed(contract, actor=actor, what=what)
        save_as(contract, actor)


def _check_editable(contract: Contract) -> None:
    if contract.status not in (*EDITABLE_STATUSES, ContractStatus.IN_REVIEW):
        raise DomainError(
            _("A contract that is %(status)s cannot be changed.") % {"status": contract.get_status_display()},
            code="not_editable",
        )


def _clause_language(actor: User) -> str:
    """The language a contract's clauses are drawn in: its creator's (a contract is written
    by the sales owner in the language they work in, and changed by hand where the customer
    needs another); the site's language when the creator's has no template."""
    language = getattr(actor, "language", "") or settings.LANGUAGE_CODE
    return language if language in ClauseLanguage.values else settings.LANGUAGE_CODE


def active_templates(language: str) -> dict[str, ClauseTemplate]:
    """The active standard clause of each key in ``language``, falling back per key to the
    site's language (R-CON-5)."""
    rows = ClauseTemplate.objects.filter(active=True, language__in={language, settings.LANGUAGE_CODE})
    found: dict[str, ClauseTemplate] = {}
    for row in rows:
        if row.language == language or row.key not in found:
            found[row.key] = row
    return found


def _start_from_templates(contract: Contract, language: str) -> None:
    """R-CON-5: each clause an empty term starts from the active standard text; every clause
    remembers the template version it is compared with (also when the creator wrote it)."""
    contract.clause_language = language
    origins: dict[str, Any] = {}
    for key, template in active_templates(language).items():
        origins[key] = {"template": template.pk, "version": template.version, "language": template.language}
        if not str(getattr(contract, key) or "").strip():
            setattr(contract, key, template.text)
    contract.clause_origins = origins


def _as_text(value: Any) -> str:
    return "" if value is None else str(value)


def _record_clause_changes(
    contract: Contract,
    *,
    status: str,
    before: Mapping[str, Any],
    actor: User,
    minute: NegotiationMinute | None = None,
) -> None:
    """R-CON-5: a negotiated term changed during approval (in review, or rejected) waits for
    the customer's confirmation; a later change of a term still waiting updates that one
    row (and a change back to the confirmed text drops it)."""
    for name, old in before.items():
        if name not in NEGOTIATED_FIELDS:
            continue
        new = _as_text(getattr(contract, name))
        pending = (
            ClauseChange.objects.select_for_update().filter(contract=contract, field=name).pending().first()
        )
        if pending is not None:
            if new == pending.before:
                pending.delete()
            else:
                pending.after = new
                pending.minute = minute or pending.minute
                pending.save(update_fields=["after", "minute", "updated_at"])
        elif status in DURING_APPROVAL:
            ClauseChange.objects.create(
                contract=contract,
                field=name,
                before=_as_text(old),
                after=new,
                status_at_change=status,
                changed_by=actor,
                minute=minute,
            )


def _change_terms(
    contract: Contract, data: Mapping[str, Any], *, actor: User, minute: NegotiationMinute | None = None
) -> list[dict[str, str]]:
    """Write the terms of ``data`` on the locked ``contract`` (R-CON-1); a changed term sends
    a contract in review or approved back to draft (R-REV-5) and, during approval, waits for
    the customer's confirmation (R-CON-5). Returns the changes (field, before, after)."""
    before = {
        name: getattr(contract, name)
        for name, value in data.items()
        if name in TERM_FIELDS and getattr(contract, name) != value
    }
    status = contract.status
    apply_fields(contract, data, TERM_FIELDS)
    validate(contract)
    if before:
        _reviewed_facts_changed(contract, actor=actor, what=", ".join(before))
        apply_fields(contract, data, TERM_FIELDS)
        _record_clause_changes(contract, status=status, before=before, actor=actor, minute=minute)
    save_as(contract, actor)
    return [
        {"field": name, "before": _as_text(old), "after": _as_text(getattr(contract, name))}
        for name, old in before.items()
    ]


@transaction.atomic
def contract_create(
    *, actor: User, opportunity: Opportunity, data: Mapping[str, Any] | None = None
) -> Contract:
    """Draw the contract from the accepted solution version and its quote (R-SOL-6): the
    quote lines become contract lines, the currency and rate are the version's."""
    opportunity = lock_opportunity(opportunity.pk)
    require_work(actor, opportunity)
    _check_open(opportunity)
    if Contract.objects.filter(opportunity=opportunity).exists():
        raise DomainError(_("This opportunity already has its contract."), code="exists")
    version = selectors.accepted_version(opportunity)
    if version is None:
        raise GateRefused(
            reasons=[_("Record the customer's acceptance of a solution version first (R-SOL-6).")],
        )
    contract = Contract(
        opportunity=opportunity,
        solution_version=version,
        created_by=actor,
        title=str(opportunity.title)[:200],
        currency=version.currency,
        fx_rate_to_cny=version.fx_rate_to_cny,
        fx_rate_date=version.fx_rate_date,
        party_customer=str(opportunity.customer)[:200],
        party_company=_("Our company"),
    )
    apply_fields(contract, dict(data or {}), TERM_FIELDS)
    _start_from_templates(contract, _clause_language(actor))
    validate(contract, exclude=["opportunity", "solution_version", "created_by"])
    save_as(contract, actor)
    for position, quote_line in enumerate(version.quote_lines.order_by("position", "id")):
        line = ContractLine(
            contract=contract,
            quote_line=quote_line,
            position=position,
            item=quote_line.item,
            specification=quote_line.specification,
            quantity=quote_line.quantity,
            unit=quote_line.unit,
            unit_price=quote_line.unit_price,
            tax_rate=quote_line.tax_rate,
            tax_inclusive=quote_line.tax_inclusive,
        )
        _set_figures(line)
        save_as(line, actor)
    _recompute_amount(contract)
    assert contract.amount == totals(version.quote_lines.all()).price_incl
    _save_amount(contract, actor)
    return contract


@transaction.atomic
def contract_update(
    *, actor: User, contract: Contract, data: Mapping[str, Any], expected_version: int | None = None
) -> Contract:
    """Change the terms (R-CON-1) or the rate; a contract in review or approved goes back to
    draft and needs a new review (R-REV-5). A signed contract is not changed here."""
    contract = lock_contract(contract)
    require_work(actor, contract.opportunity)
    check_version(contract, expected_version)
    _check_editable(contract)
    _change_terms(contract, data, actor=actor)
    return contract


@transaction.atomic
def negotiation_minute_record(
    *,
    actor: User,
    contract: Contract,
    data: Mapping[str, Any],
    terms: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> NegotiationMinute:
    """Minutes of a negotiation (R-CON-5): who met, what was agreed; the terms it changed
    (``terms``) are written on the contract with the same rules as :func:`contract_update`
    and listed on the minute with their texts before and after."""
    contract = lock_contract(contract)
    require_work(actor, contract.opportunity)
    minute = NegotiationMinute(contract=contract, created_by=actor)
    apply_fields(minute, data, MINUTE_FIELDS)
    errors: dict[str, list[str]] = {}
    for name in ("our_attendees", "customer_attendees", "summary"):
        if not str(getattr(minute, name) or "").strip():
            errors[name] = [_("This field is required.")]
    if not isinstance(minute.held_on, date):
        errors["held_on"] = [_("Give the day of the meeting.")]
    elif minute.held_on > timezone.localdate():
        errors["held_on"] = [_("The meeting cannot be in the future.")]
    if errors:
        raise DomainError(fields=errors)
    validate(minute, exclude=["contract", "created_by"])
    minute.save()
    if terms:
        check_version(contract, expected_version)
        _check_editable(contract)
        minute.changes = _change_terms(contract, terms, actor=actor, minute=minute)
        minute.save(update_fields=["changes", "updated_at"])
    return minute


@transaction.atomic
def clause_change_confirm(
    *, actor: User, change: ClauseChange, customer_confirmed_by: str, customer_confirmed_on: Any
) -> ClauseChange:
    """R-CON-5: the customer confirmed a term changed during approval: who on their side, on
    which day; recorded by ``actor``."""
    contract = lock_contract(change.contract_id)
    require_work(actor, contract.opportunity)
    change = ClauseChange.objects.select_for_update().get(pk=change.pk)
    if change.confirmed_at is not None:
        raise DomainError(_("This change is confirmed already."), code="confirmed")
    errors: dict[str, list[str]] = {}
    who = (customer_confirmed_by or "").strip()
    if not who:
        errors["customer_confirmed_by"] = [_("Name who confirmed it on the customer's side.")]
    if not isinstance(customer_confirmed_on, date):
        errors["customer_confirmed_on"] = [_("Give the day of the confirmation.")]
    elif customer_confirmed_on > timezone.localdate():
        errors["customer_confirmed_on"] = [_("The confirmation cannot be in the future.")]
    if errors:
        raise DomainError(fields=errors)
    change.customer_confirmed_by = who[:120]
    change.customer_confirmed_on = customer_confirmed_on
    change.confirmed_by = actor
    change.confirmed_at = timezone.now()
    change.save()
    return change


@transaction.atomic
def clause_template_publish(*, actor: User, key: str, language: str, text: str) -> ClauseTemplate:
    """An admin publishes a standard clause's new text (R-CON-5): it becomes the active
    version for new contracts; contracts drawn before keep comparing with theirs."""
    if not actor.has_role(Role.ADMIN):
        raise NotAllowed(_("Only an admin maintains the standard clauses."))
    errors: dict[str, list[str]] = {}
    if key not in ClauseKey.values:
        errors["key"] = [_("Choose one of the contract's clauses.")]
    if language not in ClauseLanguage.values:
        errors["language"] = [_("Choose a language.")]
    if not (text or "").strip():
        errors["text"] = [_("This field is required.")]
    if errors:
        raise DomainError(fields=errors)
    rows = ClauseTemplate.objects.select_for_update().filter(key=key, language=language)
    latest = rows.aggregate(latest=Max("version"))["latest"] or 0
    rows.filter(active=True).update(active=False)
    template = ClauseTemplate(
        key=key, language=language, text=text.strip(), version=latest + 1, active=True, created_by=actor
    )
    save_as(template, actor)
    return template


def _line_contract(actor: User, contract: Contract) -> Contract:
    contract = lock_contract(contract)
    require_work(actor, contract.opportunity)
    _check_editable(contract)
    return contract


@transaction.atomic
def contract_line_update(
    *, actor: User, line: ContractLine, data: Mapping[str, Any], expected_version: int | None = None
) -> ContractLine:
    """Change a line (a negotiated quantity, price, tax…); the amount follows. A change to
    its figures sends a contract in review or approved back to draft (R-REV-5)."""
    contract = _line_contract(actor, line.contract)
    line = ContractLine.objects.select_for_update().get(pk=line.pk)
    check_version(line, expected_version)
    changed = [n for n, v in data.items() if n in LINE_REVIEWED_FIELDS and getattr(line, n) != v]
    apply_fields(line, data, LINE_FIELDS)
    validate(line, exclude=["contract", "price_excl", "tax", "price_incl"])
    _set_figures(line)
    save_as(line, actor)
    if changed:
        _reviewed_facts_changed(contract, actor=actor, what=line.item)
    _recompute_amount(contract)
    _save_amount(contract, actor)
    return line


@transaction.atomic
def contract_line_add(*, actor: User, contract: Contract, data: Mapping[str, Any]) -> ContractLine:
    """A line the quote did not have (it is a difference to explain, R-CON-2)."""
    contract = _line_contract(actor, contract)
    position = (contract.lines.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    line = ContractLine(contract=contract, position=position)
    apply_fields(line, data, LINE_FIELDS)
    validate(line, exclude=["contract", "price_excl", "tax", "price_incl"])
    _set_figures(line)
    save_as(line, actor)
    _reviewed_facts_changed(contract, actor=actor, what=line.item)
    _recompute_amount(contract)
    _save_amount(contract, actor)
    return line


@transaction.atomic
def contract_line_delete(
    *, actor: User, line: ContractLine, explanation: str = "", expected_version: int | None = None
) -> Contract:
    """Delete a line (R-CON-2, R-REV-5): only while the contract may change; a line copied
    from the accepted quote needs the reason it is dropped (it stays a difference from the
    quote, explained by it). The amount follows; a contract in review or approved goes back
    to draft."""
    contract = _line_contract(actor, line.contract)
    line = ContractLine.objects.select_for_update().get(pk=line.pk)
    check_version(line, expected_version)
    explanation = (explanation or "").strip()
    if line.quote_line_id is not None and not explanation:
        raise DomainError(
            fields={"explanation": [_("Say why a line of the accepted quote is dropped (R-CON-2).")]}
        )
    item, quote_line_id = line.item, line.quote_line_id
    delete_as(line, actor)
    _reviewed_facts_changed(contract, actor=actor, what=item)  # re-reads a contract in review
    if quote_line_id is not None:
        contract.removed_quote_lines = {**contract.removed_quote_lines, str(quote_line_id): explanation}
    _recompute_amount(contract)
    _save_amount(contract, actor)
    return contract


@transaction.atomic
def contract_submit(*, actor: User, contract: Contract) -> Contract:
    """Send the contract to its approval chain (R-REV-4), once every difference from the
    accepted quote is explained (R-CON-2)."""
    from reviews.services import review_start

    contract = lock_contract(contract)
    require_work(actor, contract.opportunity)
    if contract.status not in (ContractStatus.DRAFT, ContractStatus.REJECTED):
        raise DomainError(
            _("A contract that is %(status)s cannot be submitted.")
            % {"status": contract.get_status_display()},
            code="not_submittable",
        )
    missing = selectors.unexplained(contract)
    if missing:
        raise GateRefused(
            reasons=[
                _("Explain why “%(item)s” differs from the accepted quote (R-CON-2).") % {"item": d.label}
                for d in missing
            ]
        )
    if not contract.lines.exists():
        raise GateRefused(reasons=[_("The contract has no lines.")])
    pending = list(ClauseChange.objects.filter(contract=contract).pending().order_by("id"))
    if pending:
        raise GateRefused(
            reasons=[
                _("Confirm the change of “%(term)s” with the customer before submitting again (R-CON-5).")
                % {"term": change.label}
                for change in pending
            ]
        )
    reasons = hooks.submit_reasons(contract=contract)
    if reasons:
        raise GateRefused(reasons=reasons)
    _write_move(contract, ContractStatus.IN_REVIEW, "submit", actor=actor)
    contract.submitted_at = timezone.now()
    save_as(contract, actor)
    review_start(actor=actor, subject=contract, kind=REVIEW_KIND)
    return contract


def contract_on_approved(*, subject: Contract, review: Any, actor: User) -> None:
    contract = lock_contract(subject)
    if contract.status != ContractStatus.IN_REVIEW:
        return
    # R-RISK-1: what turned up while the contract was in review (an open high risk) stops
    # the approval; raising rolls the decision back.
    reasons = hooks.approve_reasons(contract=contract)
    if reasons:
        raise GateRefused(reasons=reasons)
    _write_move(
        contract,
        ContractStatus.APPROVED,
        "approve",
        actor=actor,
        note=getattr(review, "outcome_note", "") or "",
    )
    contract.decided_at = timezone.now()
    save_as(contract, actor)


def contract_on_rejected(*, subject: Contract, review: Any, actor: User) -> None:
    contract = lock_contract(subject)
    if contract.status != ContractStatus.IN_REVIEW:
        return
    _write_move(
        contract,
        ContractStatus.REJECTED,
        "reject",
        actor=actor,
        note=getattr(review, "outcome_note", "") or "",
    )
    contract.decided_at = timezone.now()
    save_as(contract, actor)


def contract_on_cancelled(*, subject: Contract, review: Any, actor: User) -> None:
    contract = lock_contract(subject)
    if contract.status != ContractStatus.IN_REVIEW:
        return
    _write_move(
        contract,
        ContractStatus.DRAFT,
        "withdraw",
        actor=actor,
        note=getattr(review, "outcome_note", "") or "",
    )
    save_as(contract, actor)


@transaction.atomic
def contract_sign(*, actor: User, contract: Contract, data: Mapping[str, Any]) -> Contract:
    """Record the signing (R-CON-3): refused unless the contract is approved and the
    customer's signatory shows an authorisation. Starts the signed-scan timer (R-CON-4)."""
    contract = lock_contract(contract)
    require_work(actor, contract.opportunity)
    if contract.status != ContractStatus.APPROVED:
        raise GateRefused(reasons=[_("Only an approved contract is signed (R-CON-3, R-REV-4).")])
    reasons = hooks.sign_reasons(contract=contract)
    if reasons:
        raise GateRefused(reasons=reasons)
    apply_fields(contract, data, SIGN_FIELDS)
    errors: dict[str, list[str]] = {}
    for name in ("customer_signatory_name", "customer_authorisation_ref", "our_signatory_name"):
        if not str(getattr(contract, name) or "").strip():
            errors[name] = [_("This field is required.")]
    if contract.signing_method not in SigningMethod.values:
        errors["signing_method"] = [_("Choose seal or e-signature.")]
    if contract.our_signatory_capacity not in SignatoryCapacity.values:
        errors["our_signatory_capacity"] = [
            _("Choose the legal representative or an authorised representative.")
        ]
    signed_on = contract.signed_on
    if not isinstance(signed_on, date):
        errors["signed_on"] = [_("Give the signing date.")]
    elif signed_on > timezone.localdate():
        errors["signed_on"] = [_("The signing date cannot be in the future.")]
    if errors:
        raise DomainError(fields=errors)
    _write_move(contract, ContractStatus.SIGNED, "sign", actor=actor)
    contract.signed_at = timezone.now()
    validate(contract)
    save_as(contract, actor)
    timer_start(
        kind=CONTRACT_ARCHIVE,
        subject=contract,
        owner=contract.opportunity.sales_owner or actor,
        start=contract.signed_at,
        team=contract.opportunity.team,
    )
    hooks.run_on_signed(contract=contract, actor=actor)
    notifications.contract_signed(contract, actor=actor)
    return contract


def _check_scan(scan: Any) -> Upload:
    """A signed scan is a PDF, JPEG or PNG, checked by its content (presales/core/uploads)."""
    return validate_upload(scan, field="signed_scan", allowed=SCAN_EXTENSIONS, limit=SCAN_MAX_BYTES)


@transaction.atomic
def contract_record_scan(*, actor: User, contract: Contract, scan: Any, archive_location: str) -> Contract:
    """The signed scan is uploaded and the paper archive location recorded (R-CON-4): the
    archive timer is met."""
    contract = lock_contract(contract)
    require_work(actor, contract.opportunity)
    if contract.status != ContractStatus.SIGNED:
        raise GateRefused(reasons=[_("Record the signing before the signed scan.")])
    if scan is None:
        raise DomainError(fields={"signed_scan": [_("Upload the signed scan.")]})
    upload = _check_scan(scan)
    if not (archive_location or "").strip():
        raise DomainError(fields={"archive_location": [_("Say where the paper original is kept.")]})
    now = timezone.now()
    save_upload(contract.signed_scan, scan, upload)  # stored under a random name
    contract.archive_location = archive_location.strip()
    contract.archived_at = now
    save_as(contract, actor)
    timer_satisfy(kind=CONTRACT_ARCHIVE, subject=contract, at=now)
    notifications.contract_archived(contract, actor=actor)
    return contract
