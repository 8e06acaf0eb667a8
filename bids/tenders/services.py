"""Bid decisions, tenders and bids: every write and every status change (R-BID-1, R-BID-2,
R-BID-4, R-BID-5, R-REV-3). Each function locks the opportunity first, then its record
(opportunities/locks.py order), checks its rule, records history (simple-history) and
starts or stops its timers."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from itertools import pairwise
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bids.models import Bid, BidDecision, Tender, TenderDocument
from bids.tenders import notifications
from bids.tenders.choices import BidStatus, Decision
from bids.tenders.timers import (
    TENDER_BOND,
    TENDER_CLARIFICATION,
    TENDER_DEADLINE,
    TENDER_DOCUMENTS_PURCHASE,
    TENDER_RESULT,
)
from opportunities.choices import CloseReason, Stage
from opportunities.competitors.services import competitor_resolve
from opportunities.locks import lock_opportunity
from opportunities.permissions import require_work
from opportunities.services import opportunity_move
from presales.accounts.models import User
from presales.core.errors import Conflict, DomainError, GateRefused, NotAllowed
from presales.core.roles import Role
from presales.core.writes import apply_fields, check_version, save_as, validate
from presales.sla.services import timer_cancel, timer_satisfy, timer_start

BID_REVIEW_KIND = "bid"
DECISION_FIELDS = ("analysis", "strategy")
TENDER_FIELDS = (
    "issuer",
    "number",
    "time_zone",
    "documents_purchase_at",
    "documents_purchased_on",
    "questions_until",
    "questions_sent_on",
    "submission_deadline",
    "opening_at",
    "bond_amount",
    "bond_paid_on",
    "bond_returned_on",
)
BID_FIELDS = ("summary",)


def _open_opportunity(opportunity_pk: int, actor: User):
    opportunity = lock_opportunity(opportunity_pk)
    require_work(actor, opportunity)
    if not opportunity.is_open:
        raise Conflict(_("The opportunity is closed."), code="closed")
    return opportunity


# --- the bid / no-bid decision (R-BID-5) ---------------------------------------------------


@transaction.atomic
def decision_save(*, actor: User, opportunity, data: dict[str, Any], expected_version: int | None = None):
    """Write the tender analysis and the strategy (marketing with presales). A decided
    decision keeps its text (it is what was decided on)."""
    opportunity = _open_opportunity(opportunity.pk, actor)
    decision = BidDecision.objects.select_for_update().filter(opportunity=opportunity).first()
    if decision is None:
        decision = BidDecision(opportunity=opportunity)
    else:
        check_version(decision, expected_version)
        if decision.decision != Decision.PENDING:
            raise Conflict(_("The bid decision is already taken."), code="decided")
    apply_fields(decision, data, DECISION_FIELDS)
    validate(decision)
    save_as(decision, actor)
    return decision


@transaction.atomic
def decision_decide(*, actor: User, opportunity, decision: str, reason: str = "", note: str = ""):
    """R-BID-5: the presales manager decides to bid or not. "No bid" closes the opportunity as
    abandoned with ``reason`` (a close reason, see ``opportunities.choices.CloseReason``)."""
    opportunity = _open_opportunity(opportunity.pk, actor)
    if not actor.has_role(Role.PRESALES_MANAGER):
        raise NotAllowed(_("Only the presales manager decides whether to bid."))
    if decision not in (Decision.BID, Decision.NO_BID):
        raise DomainError(fields={"decision": [_("Choose bid or no bid.")]})
    record = BidDecision.objects.select_for_update().filter(opportunity=opportunity).first()
    if record is None or not (record.analysis.strip() and record.strategy.strip()):
        raise GateRefused(reasons=[_("Write the tender analysis and the strategy before deciding.")])
    if record.decision != Decision.PENDING:
        raise Conflict(_("The bid decision is already taken."), code="decided")
    if decision == Decision.NO_BID:
        if reason not in CloseReason.values:
            raise DomainError(fields={"reason": [_("Choose the reason the opportunity is not bid for.")]})
        if reason == CloseReason.OTHER and not note.strip():
            raise DomainError(fields={"note": [_("Describe the reason in the note.")]})
    record.decision = decision
    record.reason = note.strip() if decision == Decision.NO_BID else ""
    record.decided_by = actor
    record.decided_at = timezone.now()
    save_as(record, actor)
    record.opportunity = opportunity
    notifications.decision_taken(record, actor=actor)
    if decision == Decision.NO_BID:
        opportunity_move(
            actor=actor, opportunity=opportunity, move="abandon", note=note or _("No bid."), reason=reason
        )
    return record


# --- the tender (R-BID-1) ------------------------------------------------------------------


def _sync_timers(tender: Tender, actor: User) -> None:
    """The deadline reminder runs until the bid is sealed; the bond timer from the opening
    until the bond is returned (policy ``tender_bond``: due N days after the opening)."""
    owner = tender.opportunity.presales_owner or actor
    team = tender.opportunity.team
    timer_cancel(kind=TENDER_DEADLINE, subject=tender, reason="rescheduled")
    sealed = Bid.objects.filter(opportunity_id=tender.opportunity_id, status__in=SEALED_OR_AFTER).exists()
    if not sealed:
        timer_start(
            kind=TENDER_DEADLINE, subject=tender, owner=owner, due_at=tender.submission_deadline, team=team
        )
    # R-BID-1: the dates before the deadline, each reminded until its action is recorded.
    for kind, due_at, done_on in (
        (TENDER_DOCUMENTS_PURCHASE, tender.documents_purchase_at, tender.documents_purchased_on),
        (TENDER_CLARIFICATION, tender.questions_until, tender.questions_sent_on),
    ):
        if done_on is not None:
            timer_satisfy(kind=kind, subject=tender)
            continue
        timer_cancel(kind=kind, subject=tender, reason="rescheduled")
        if due_at is not None:
            timer_start(kind=kind, subject=tender, owner=owner, due_at=due_at, team=team)
    # R-BID-4: the result is recorded after the opening.
    decided = Bid.objects.filter(
        opportunity_id=tender.opportunity_id, status__in=(BidStatus.WON, BidStatus.LOST)
    ).exists()
    if not decided:
        timer_cancel(kind=TENDER_RESULT, subject=tender, reason="rescheduled")
        if tender.opening_at is not None:
            timer_start(kind=TENDER_RESULT, subject=tender, owner=owner, start=tender.opening_at, team=team)
    if tender.bond_returned_on is not None:
        timer_satisfy(kind=TENDER_BOND, subject=tender)
        return
    timer_cancel(kind=TENDER_BOND, subject=tender, reason="rescheduled")
    if tender.bond_paid_on is not None and tender.opening_at is not None:
        timer_start(kind=TENDER_BOND, subject=tender, owner=owner, start=tender.opening_at, team=team)


def _check_tender(tender: Tender) -> None:
    errors: dict[str, list[str]] = {}
    order = [
        ("documents_purchase_at", tender.documents_purchase_at),
        ("questions_until", tender.questions_until),
        ("submission_deadline", tender.submission_deadline),
        ("opening_at", tender.opening_at),
    ]
    known = [(name, at) for name, at in order if at is not None]
    for (_before, earlier), (name, later) in pairwise(known):
        if later < earlier:
            errors.setdefault(name, []).append(_("The tender's dates must follow one another."))
    if tender.documents_purchased_on and not tender.documents_purchase_at:
        errors.setdefault("documents_purchased_on", []).append(
            _("Set the documents purchase date before recording the purchase.")
        )
    if tender.questions_sent_on and not tender.questions_until:
        errors.setdefault("questions_sent_on", []).append(
            _("Set the clarification questions date before recording the questions.")
        )
    if tender.bond_returned_on and not tender.bond_paid_on:
        errors.setdefault("bond_returned_on", []).append(_("A bond is returned only after it was paid."))
    if tender.bond_returned_on and tender.bond_paid_on and tender.bond_returned_on < tender.bond_paid_on:
        errors.setdefault("bond_returned_on", []).append(_("The bond is returned after it was paid."))
    if errors:
        raise DomainError(fields=errors)


@transaction.atomic
def tender_save(*, actor: User, opportunity, data: dict[str, Any], expected_version: int | None = None):
    """Record or change the opportunity's tender. Only a deal with a public tender has one."""
    opportunity = _open_opportunity(opportunity.pk, actor)
    if not opportunity.has_tender:
        raise DomainError(
            fields={"has_tender": [_("Mark the opportunity as bought through a tender first.")]}
        )
    tender = Tender.objects.select_for_update().filter(opportunity=opportunity).first()
    if tender is None:
        tender = Tender(opportunity=opportunity)
    else:
        check_version(tender, expected_version)
    data = dict(data)
    if data.get("bond_amount") not in (None, ""):
        try:
            data["bond_amount"] = Decimal(str(data["bond_amount"]))
        except InvalidOperation:
            raise DomainError(fields={"bond_amount": [_("Enter a number.")]}) from None
    apply_fields(tender, data, TENDER_FIELDS)
    validate(tender)
    _check_tender(tender)
    save_as(tender, actor)
    tender.opportunity = opportunity
    _sync_timers(tender, actor)
    return tender


@transaction.atomic
def tender_document_add(*, actor: User, tender: Tender, name: str) -> TenderDocument:
    _open_opportunity(tender.opportunity_id, actor)
    document = TenderDocument(tender=tender, name=(name or "").strip())
    validate(document)
    document.save()
    return document


@transaction.atomic
def tender_document_mark(*, actor: User, document: TenderDocument, done: bool) -> TenderDocument:
    _open_opportunity(document.tender.opportunity_id, actor)
    document = TenderDocument.objects.select_for_update().get(pk=document.pk)
    document.done = bool(done)
    document.save(update_fields=["done", "updated_at"])
    return document


def tender_has_record(*, opportunity, before: dict[str, Any]) -> dict[str, list[str]]:
    """Registered with ``opportunities.hooks.register_update_validator``: the tender flag
    cannot be switched off once a tender is recorded (issue 11)."""
    switched_off = before.get("has_tender") and not opportunity.has_tender
    if switched_off and Tender.objects.filter(opportunity_id=opportunity.pk).exists():
        return {"has_tender": [_("A tender is recorded for this opportunity: it keeps its tender.")]}
    return {}


# --- the bid: review (R-REV-3), seal (R-BID-2), result (R-BID-4) ----------------------------

SEALED_OR_AFTER = (BidStatus.SEALED, BidStatus.WON, BidStatus.LOST)


def lock_bid(bid: Bid) -> Bid:
    """The bid's opportunity, then the bid (the review engine's ``lock`` hook)."""
    opportunity = lock_opportunity(bid.opportunity_id)
    locked = Bid.objects.select_for_update(of=("self",)).get(pk=bid.pk)
    locked.opportunity = opportunity
    return locked


@transaction.atomic
def bid_save(*, actor: User, opportunity, data: dict[str, Any], expected_version: int | None = None) -> Bid:
    """Create or edit the bid while it is a draft or rejected (a change after rejection is
    what goes back to review)."""
    opportunity = _open_opportunity(opportunity.pk, actor)
    if opportunity.stage != Stage.BID:
        raise Conflict(_("The bid is prepared in the bid stage."), code="wrong_stage")
    bid = Bid.objects.select_for_update().filter(opportunity=opportunity).first()
    if bid is None:
        bid = Bid(opportunity=opportunity, created_by=actor)
    else:
        check_version(bid, expected_version)
        if bid.status not in (BidStatus.DRAFT, BidStatus.REJECTED):
            raise Conflict(
                _("A bid that is %(status)s cannot be changed.") % {"status": bid.get_status_display()},
                code="not_editable",
            )
    creating = bid._state.adding
    apply_fields(bid, data, BID_FIELDS)
    validate(bid)
    save_as(bid, actor)
    if creating:
        from bids.biddocs.services import parts_ensure

        parts_ensure(bid)
    return bid


def _deadline_passed(bid: Bid, tender: Tender | None = None) -> bool:
    if tender is None:
        tender = Tender.objects.filter(opportunity_id=bid.opportunity_id).first()
    return tender is not None and timezone.now() > tender.submission_deadline


@transaction.atomic
def bid_submit(*, actor: User, bid: Bid) -> Bid:
    """R-REV-3: the bid goes to its review (chain of kind ``bid``: presales manager, legal,
    finance)."""
    from reviews.services import review_start

    bid = lock_bid(bid)
    require_work(actor, bid.opportunity)
    if bid.status not in (BidStatus.DRAFT, BidStatus.REJECTED):
        raise Conflict(_("Only a draft or rejected bid goes to review."), code="not_submittable")
    reasons = []
    if not Tender.objects.filter(opportunity_id=bid.opportunity_id).exists():
        reasons.append(_("Record the tender first."))
    if _deadline_passed(bid):
        reasons.append(_("The tender's submission deadline has passed."))
    from bids.biddocs.services import empty_part_reasons

    reasons.extend(empty_part_reasons(bid))
    if reasons:
        raise GateRefused(reasons=reasons)
    bid.status = BidStatus.IN_REVIEW
    bid.submitted_at = timezone.now()
    save_as(bid, actor)
    review_start(actor=actor, subject=bid, kind=BID_REVIEW_KIND)
    return bid


def seal_refusals(bid: Bid, tender: Tender | None = None) -> list[str]:
    """R-BID-2: sealed only once the bid review approved it, and before the deadline."""
    reasons = []
    if bid.status != BidStatus.APPROVED:
        reasons.append(
            _("The bid review must approve the bid before it is sealed (it is %(status)s).")
            % {"status": bid.get_status_display()}
        )
    if _deadline_passed(bid, tender):
        reasons.append(_("The tender's submission deadline has passed."))
    return reasons


@transaction.atomic
def bid_seal(*, actor: User, bid: Bid) -> Bid:
    """R-BID-2: seal (submit) the approved bid before the deadline; the reminder stops."""
    bid = lock_bid(bid)
    require_work(actor, bid.opportunity)
    reasons = seal_refusals(bid)
    if reasons:
        raise GateRefused(reasons=reasons)
    bid.status = BidStatus.SEALED
    bid.sealed_at = timezone.now()
    save_as(bid, actor)
    from bids.biddocs.services import parts_freeze

    parts_freeze(bid)
    tender = Tender.objects.get(opportunity_id=bid.opportunity_id)
    timer_satisfy(kind=TENDER_DEADLINE, subject=tender, at=bid.sealed_at)
    return bid


@transaction.atomic
def bid_record_result(
    *,
    actor: User,
    bid: Bid,
    won: bool,
    winning_vendor: str = "",
    winning_price: Any = None,
    reason: str = CloseReason.PRICE,
    note: str = "",
) -> Bid:
    """R-BID-4: the sealed bid is won or lost (winning vendor and price when known). A lost
    bid moves the opportunity to lost with the reason (the close move)."""
    bid = lock_bid(bid)
    require_work(actor, bid.opportunity)
    if bid.status != BidStatus.SEALED:
        raise GateRefused(reasons=[_("Only a sealed bid has a result.")])
    price = None
    if winning_price not in (None, ""):
        try:
            price = Decimal(str(winning_price))
        except InvalidOperation:
            raise DomainError(fields={"winning_price": [_("Enter a number.")]}) from None
        if price < 0:
            raise DomainError(fields={"winning_price": [_("The price cannot be negative.")]})
    if not won and reason not in CloseReason.values:
        raise DomainError(fields={"reason": [_("Choose the reason the opportunity is closed.")]})
    bid.status = BidStatus.WON if won else BidStatus.LOST
    bid.result_at = timezone.now()
    bid.winning_vendor = (winning_vendor or "").strip()[:200]
    # R-COMP-1: a lost bid's winning vendor is linked to its competitor record (a won bid's
    # "winner" is us).
    bid.winning_competitor_ref = None if won else competitor_resolve(actor=actor, name=bid.winning_vendor)
    bid.winning_price = price
    save_as(bid, actor)
    tender = Tender.objects.filter(opportunity_id=bid.opportunity_id).first()
    if tender is not None:
        timer_satisfy(kind=TENDER_RESULT, subject=tender, at=bid.result_at)
    if not won:
        opportunity_move(
            actor=actor,
            opportunity=bid.opportunity,
            move="mark_lost",
            note=note or _("The bid was lost."),
            reason=reason,
            winning_competitor=bid.winning_vendor,
        )
    return bid


def bid_on_approved(*, subject: Bid, review: Any, actor: User) -> None:
    bid = lock_bid(subject)
    if bid.status == BidStatus.IN_REVIEW:
        bid.status = BidStatus.APPROVED
        save_as(bid, actor)


def bid_on_rejected(*, subject: Bid, review: Any, actor: User) -> None:
    bid = lock_bid(subject)
    if bid.status == BidStatus.IN_REVIEW:
        bid.status = BidStatus.REJECTED
        save_as(bid, actor)


def bid_on_cancelled(*, subject: Bid, review: Any, actor: User) -> None:
    bid = lock_bid(subject)
    if bid.status == BidStatus.IN_REVIEW:
        bid.status = BidStatus.DRAFT
        save_as(bid, actor)


def bids_on_opportunity_closed(*, opportunity, actor: User) -> None:
    """Close hook: a pending bid review is withdrawn, the tender's timers stop."""
    from reviews.services import review_cancel_for_subject

    bid = Bid.objects.filter(opportunity=opportunity).first()
    if bid is not None and bid.status == BidStatus.IN_REVIEW:
        review_cancel_for_subject(actor=actor, subject=bid, reason=_("The opportunity was closed."))
    tender = Tender.objects.filter(opportunity=opportunity).first()
    if tender is not None:
        for kind in (TENDER_DEADLINE, TENDER_DOCUMENTS_PURCHASE, TENDER_CLARIFICATION, TENDER_RESULT):
            timer_cancel(kind=kind, subject=tender, reason="opportunity closed")
