"""Write use cases of payment collection (R-PAY-1).

Every service is keyword-only and atomic, locks in the contracts' order (the opportunity,
the contract: bids/contracts/locks.py), then the payment plan, then its instalments, then
their timers; checks the actor may work the opportunity, writes with history. The hooks
(``plan_on_amount_set``, ``plan_on_signed``, ``plan_on_accepted``) run under the locks the
contract's services took and check no permission: the contract's service did.

- The plan is made when the contract is drawn, from its payment terms when they give
  percentages summing to 100 % ("30% 预付款, 60% 到货, 10% 验收"), else from the default
  template (an admin edits it), and follows the contract amount: percentage instalments are
  recomputed, the last one absorbing the rounding remainder.
- Before signing the plan is edited freely (add, change, delete, rebuild); a contract whose
  plan does not sum exactly to its amount is neither submitted nor signed
  (:func:`plan_reasons`, registered as submit and sign checks). After signing only the due
  dates of triggered instalments change (and events are recorded), and receipts are taken.
- A receipt locks the plan and is refused (409 ``over_receipt``) when it would take the
  instalment above its amount or the plan above the contract amount; the database CHECKs
  back it (``payment_plan_received_within_amount``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bids.contracts.choices import ContractStatus
from bids.contracts.locks import lock_contract
from bids.models import Contract, PaymentInstalment, PaymentPlan, PaymentPlanTemplate, PaymentReceipt
from bids.payments.choices import EVENT_TRIGGERS, ReceiptKind, Trigger
from bids.payments.timers import PAYMENT_OVERDUE, due_at_of
from opportunities.permissions import require_work
from presales.accounts.models import User
from presales.core.errors import Conflict, DomainError
from presales.core.money import format_money
from presales.core.writes import apply_fields, check_version, delete_as, save_as, validate
from presales.sla.services import timer_cancel, timer_restart, timer_satisfy, timer_start

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
ZERO = Decimal("0.00")
# What a caller may write on an instalment before signing: the forms, the API and the admin.
INSTALMENT_FIELDS = ("label", "percentage", "fixed_amount", "trigger", "offset_days", "fixed_date")
# ... and after signing (a triggered instalment's due date, e.g. agreed with the customer).
SIGNED_INSTALMENT_FIELDS = ("due_on",)
RECEIPT_FIELDS = ("amount", "received_on", "method", "reference", "note")
# The plan made when neither the payment terms nor an admin's template say anything.
BUILT_IN_PLAN = (
    (_("Advance on signing"), Decimal("30"), Trigger.ON_SIGNING, 0),
    (_("On delivery"), Decimal("60"), Trigger.ON_DELIVERY, 0),
    (_("On acceptance"), Decimal("10"), Trigger.ON_ACCEPTANCE, 0),
)


def q(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# --- reading the payment terms -----------------------------------------------------------------

_SEGMENTS = re.compile(r"[,，;；/\n、]+")
_PERCENT = re.compile(r"(\d{1,3}(?:\.\d{1,2})?)\s*[%％]")
_DAYS = re.compile(r"(\d{1,4})\s*(?:个?工作日|天|日|days?\b)", re.IGNORECASE)
_KEYWORDS = (
    (Trigger.ON_ACCEPTANCE, ("验收", "驗收", "accept", "质保", "質保", "warranty")),
    (Trigger.ON_DELIVERY, ("到货", "到貨", "交付", "发货", "發貨", "交货", "交貨", "deliver", "ship")),
    (Trigger.ON_SIGNING, ("预付", "預付", "签", "簽", "首付", "定金", "advance", "sign", "deposit", "down")),
)


def _trigger_of(text: str) -> str:
    lowered = text.lower()
    for trigger, words in _KEYWORDS:
        if any(word in lowered for word in words):
            return trigger
    return Trigger.ON_SIGNING


def lines_from_terms(text: str) -> list[dict[str, Any]] | None:
    """The instalments the payment terms spell out as percentages, in order, up to 100 %
    (a bilingual text repeating them in English is read once), or None when they do not
    reach exactly 100 %. The event is recognised from words (预付/advance, 到货/delivery,
    验收/acceptance, 质保/warranty: a year after acceptance unless days are given)."""
    lines: list[dict[str, Any]] = []
    total = Decimal("0")
    for segment in _SEGMENTS.split(text or ""):
        match = _PERCENT.search(segment)
        if match is None:
            continue
        percentage = Decimal(match.group(1))
        if percentage <= 0 or percentage > HUNDRED:
            return None
        trigger = _trigger_of(segment)
        days = _DAYS.search(segment)
        offset = int(days.group(1)) if days else 0
        if days is None and any(w in segment.lower() for w in ("质保", "質保", "warranty")):
            offset = 365
        label = _PERCENT.sub("", segment).strip(" :：()（）") or str(Trigger(trigger).label)
        lines.append(
            {"label": label[:120], "percentage": percentage, "trigger": trigger, "offset_days": offset}
        )
        total += percentage
        if total >= HUNDRED:
            break
    return lines if lines and total == HUNDRED else None


def default_lines(contract: Contract) -> list[dict[str, Any]]:
    """The first plan of ``contract``: from its payment terms, else the admin's default
    template, else the built-in 30/60/10."""
    from_terms = lines_from_terms(contract.payment_terms)
    if from_terms:
        return from_terms
    template = PaymentPlanTemplate.objects.filter(is_default=True).first()
    if template is not None:
        lines = [
            {
                "label": line.label,
                "percentage": line.percentage,
                "trigger": line.trigger,
                "offset_days": line.offset_days,
            }
            for line in template.lines.order_by("position", "id")
        ]
        if lines and sum(line["percentage"] for line in lines) == HUNDRED:
            return lines
    return [
        {"label": str(label), "percentage": pct, "trigger": trigger, "offset_days": days}
        for label, pct, trigger, days in BUILT_IN_PLAN
    ]


# --- the plan's arithmetic ---------------------------------------------------------------------


def compute_amounts(amount: Decimal, instalments: list[PaymentInstalment]) -> None:
    """Set ``amount_due`` of each instalment (in position order): a fixed amount is itself,
    a percentage is its share of ``amount`` rounded half up to the cent; when the plan sums
    to the amount in exact terms, the last percentage instalment takes the rounding
    remainder so that the plan sums exactly (3 × 33.33 % + … never loses a cent)."""
    fixed = sum((i.fixed_amount for i in instalments if i.fixed_amount is not None), ZERO)
    shares = [i for i in instalments if i.percentage is not None]
    for instalment in instalments:
        if instalment.fixed_amount is not None:
            instalment.amount_due = instalment.fixed_amount
    for instalment in shares:
        instalment.amount_due = q(amount * instalment.percentage / HUNDRED)
    if not shares:
        return
    total_pct = sum((i.percentage for i in shares), Decimal("0"))
    exact = amount * total_pct / HUNDRED
    if (fixed == 0 and total_pct == HUNDRED) or (fixed and abs(exact - (amount - fixed)) < CENT):
        others = sum((i.amount_due for i in shares[:-1]), ZERO)
        shares[-1].amount_due = amount - fixed - others


def _ordered(plan: PaymentPlan, *, lock: bool = False) -> list[PaymentInstalment]:
    rows = PaymentInstalment.objects.filter(plan=plan).order_by("position", "id")
    if lock:
        rows = rows.select_for_update()
    return list(rows)


def plan_reasons(*, contract: Contract) -> list[str]:
    """Why ``contract``'s payment plan stops its submission or signing (R-PAY-1): missing,
    empty, an instalment of nothing, or not summing exactly to the contract amount."""
    plan = PaymentPlan.objects.filter(contract=contract).first()
    if plan is None:
        return [_("The contract has no payment plan (R-PAY-1).")]
    return reasons_of(contract, _ordered(plan))


def reasons_of(contract: Contract, instalments: list[PaymentInstalment]) -> list[str]:
    """:func:`plan_reasons` over instalments already read (the desk shows them)."""
    if not instalments:
        return [_("The payment plan has no instalments (R-PAY-1).")]
    reasons = [
        _("The instalment “%(label)s” is of no amount (R-PAY-1).") % {"label": i.label}
        for i in instalments
        if i.amount_due <= 0
    ]
    total = sum((i.amount_due for i in instalments), ZERO)
    if total != contract.amount:
        reasons.append(
            _("The payment plan sums to %(total)s, not to the contract amount %(amount)s (R-PAY-1).")
            % {
                "total": format_money(total, contract.currency),
                "amount": format_money(contract.amount, contract.currency),
            }
        )
    return reasons


def _recompute(plan: PaymentPlan, actor: User | None) -> None:
    instalments = _ordered(plan, lock=True)
    before = {i.pk: i.amount_due for i in instalments}
    compute_amounts(plan.amount, instalments)
    for instalment in instalments:
        if instalment.amount_due != before[instalment.pk]:
            save_as(instalment, actor, update_fields=["amount_due", "updated_at"])


def _build(plan: PaymentPlan, contract: Contract, actor: User | None) -> None:
    for position, line in enumerate(default_lines(contract)):
        save_as(PaymentInstalment(plan=plan, position=position, **line), actor)
    _recompute(plan, actor)


def _lock_plan(contract: Contract) -> PaymentPlan:
    """The plan of ``contract`` (whose locks the caller holds), locked; made if missing."""
    plan = PaymentPlan.objects.select_for_update().filter(contract=contract).first()
    if plan is None:
        plan = PaymentPlan(contract=contract, amount=contract.amount)
        save_as(plan, contract.created_by)
        _build(plan, contract, contract.created_by)
    plan.contract = contract
    return plan


# --- hooks of the contract's life (bids/hooks.py) ------------------------------------------------


def plan_on_amount_set(*, contract: Contract, actor: User) -> None:
    """The contract was drawn or its amount changed: the plan exists and follows it."""
    if contract.status == ContractStatus.SIGNED:
        return
    plan = PaymentPlan.objects.select_for_update().filter(contract=contract).first()
    if plan is None:
        plan = PaymentPlan(contract=contract, amount=contract.amount)
        save_as(plan, actor)
        _build(plan, contract, actor)
        return
    if plan.amount != contract.amount:
        plan.amount = contract.amount
        save_as(plan, actor)
    _recompute(plan, actor)


def _owner_of(contract: Contract) -> User:
    return contract.opportunity.sales_owner or contract.created_by


def _start_timer(instalment: PaymentInstalment, contract: Contract) -> None:
    if instalment.due_on is None or instalment.outstanding <= 0:
        return
    timer_start(
        kind=PAYMENT_OVERDUE,
        subject=instalment,
        owner=_owner_of(contract),
        due_at=due_at_of(instalment.due_on),
        team=contract.opportunity.team,
        context={"contract": contract.pk, "due_on": instalment.due_on.isoformat()},
    )


def _trigger(instalment: PaymentInstalment, contract: Contract, event_on: date, actor: User | None) -> None:
    instalment.event_on = event_on
    if instalment.trigger == Trigger.FIXED_DATE:
        instalment.due_on = instalment.fixed_date
    else:
        instalment.due_on = event_on + timedelta(days=instalment.offset_days)
    save_as(instalment, actor, update_fields=["event_on", "due_on", "updated_at"])
    _start_timer(instalment, contract)


def plan_on_signed(*, contract: Contract, actor: User) -> None:
    """At signing the instalments due on signing or on a fixed date get their due date,
    and their collection timers start."""
    plan = _lock_plan(contract)
    signed_on = contract.signed_on or timezone.localdate()
    for instalment in _ordered(plan, lock=True):
        if instalment.due_on is None and instalment.trigger in (Trigger.ON_SIGNING, Trigger.FIXED_DATE):
            _trigger(instalment, contract, signed_on, actor)


def _record_event(contract: Contract, trigger: str, occurred_on: date, actor: User | None) -> int:
    plan = _lock_plan(contract)
    count = 0
    for instalment in _ordered(plan, lock=True):
        if instalment.trigger == trigger and instalment.due_on is None:
            _trigger(instalment, contract, occurred_on, actor)
            count += 1
    return count


def plan_on_accepted(*, contract: Contract, accepted_on: date, actor: User) -> None:
    """The customer's acceptance passed (R-HAND-3): instalments due on acceptance are due
    ``offset_days`` after it, and their timers start."""
    if contract.status != ContractStatus.SIGNED:
        return
    _record_event(contract, Trigger.ON_ACCEPTANCE, accepted_on, actor)


def payments_on_opportunity_closed(*, opportunity: Any, actor: User) -> None:
    """Close hook (lost or abandoned): the collection timers of its instalments stop."""
    for instalment in PaymentInstalment.objects.filter(
        plan__contract__opportunity=opportunity, due_on__isnull=False
    ).order_by("pk"):
        timer_cancel(kind=PAYMENT_OVERDUE, subject=instalment, reason="opportunity closed")


# --- editing the plan ---------------------------------------------------------------------------


def _plan_for_edit(actor: User, contract: Contract) -> tuple[Contract, PaymentPlan]:
    contract = lock_contract(contract)
    require_work(actor, contract.opportunity)
    return contract, _lock_plan(contract)


def _plan_changed(actor: User, contract: Contract) -> None:
    """The payment plan is part of the reviewed terms (R-CON-1): changing it while the
    contract is in review or approved sends the contract back to review (R-REV-5)."""
    from bids.contracts.services import contract_reviewed_facts_changed

    contract_reviewed_facts_changed(actor=actor, contract=contract, what=str(_("payment plan")))


def _check_unsigned(contract: Contract) -> None:
    if contract.status == ContractStatus.SIGNED:
        raise DomainError(
            _(
                "The contract is signed: its payment plan is fixed. Only the due dates of "
                "instalments already due and the receipts change now."
            ),
            code="plan_fixed",
        )


def _normalise(instalment: PaymentInstalment, data: Mapping[str, Any]) -> None:
    """Percentage or fixed amount: giving one clears the other; a date only for fixed dates."""
    if data.get("percentage") is not None and "fixed_amount" not in data:
        instalment.fixed_amount = None
    if data.get("fixed_amount") is not None and "percentage" not in data:
        instalment.percentage = None
    if instalment.trigger != Trigger.FIXED_DATE:
        instalment.fixed_date = None
    errors: dict[str, list[str]] = {}
    if instalment.percentage is None and instalment.fixed_amount is None:
        errors["percentage"] = [_("Give a percentage of the contract amount or a fixed amount.")]
    if instalment.percentage is not None and instalment.fixed_amount is not None:
        errors["fixed_amount"] = [_("Give either a percentage or a fixed amount, not both.")]
    if instalment.trigger == Trigger.FIXED_DATE and instalment.fixed_date is None:
        errors["fixed_date"] = [_("Give the date this instalment is due.")]
    if errors:
        raise DomainError(fields=errors)


@transaction.atomic
def instalment_add(*, actor: User, contract: Contract, data: Mapping[str, Any]) -> PaymentInstalment:
    """Add an instalment to the plan of an unsigned contract; the amounts follow."""
    contract, plan = _plan_for_edit(actor, contract)
    _check_unsigned(contract)
    last = (
        PaymentInstalment.objects.filter(plan=plan).order_by("-position").values_list("position", flat=True)
    )
    instalment = PaymentInstalment(plan=plan, position=(last.first() or 0) + 1)
    apply_fields(instalment, data, INSTALMENT_FIELDS)
    _normalise(instalment, data)
    validate(instalment, exclude=["plan", "amount_due"])
    save_as(instalment, actor)
    _recompute(plan, actor)
    _plan_changed(actor, contract)
    instalment.refresh_from_db()
    return instalment


@transaction.atomic
def instalment_update(
    *,
    actor: User,
    instalment: PaymentInstalment,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> PaymentInstalment:
    """Change an instalment: anything before signing; after signing only the due date of an
    instalment already due (its timer moves with it)."""
    contract, plan = _plan_for_edit(actor, instalment.plan.contract)
    instalment = PaymentInstalment.objects.select_for_update().get(pk=instalment.pk)
    check_version(instalment, expected_version)
    changed = {name: value for name, value in data.items() if getattr(instalment, name, object()) != value}
    if contract.status != ContractStatus.SIGNED:
        if "due_on" in changed:
            raise DomainError(
                fields={"due_on": [_("The due date is set at signing or when the event happens.")]}
            )
        apply_fields(instalment, {k: v for k, v in data.items() if k != "due_on"}, INSTALMENT_FIELDS)
        _normalise(instalment, data)
        validate(instalment, exclude=["plan", "amount_due"])
        save_as(instalment, actor)
        _recompute(plan, actor)
        if changed:
            _plan_changed(actor, contract)
        instalment.refresh_from_db()
        return instalment
    refused = {name for name in changed if name not in SIGNED_INSTALMENT_FIELDS}
    if refused:
        raise DomainError(
            _("The contract is signed: only the due date of an instalment already due changes."),
            code="plan_fixed",
            fields={name: [_("This cannot change after signing.")] for name in sorted(refused)},
        )
    if "due_on" not in changed:
        return instalment
    due_on = changed["due_on"]
    if instalment.due_on is None:
        raise DomainError(fields={"due_on": [_("This instalment is not due yet: record its event first.")]})
    if not isinstance(due_on, date):
        raise DomainError(fields={"due_on": [_("Give the new due date.")]})
    if instalment.outstanding <= 0:
        raise DomainError(fields={"due_on": [_("This instalment is fully received.")]})
    instalment.due_on = due_on
    save_as(instalment, actor)
    timer_restart(
        kind=PAYMENT_OVERDUE,
        subject=instalment,
        owner=_owner_of(contract),
        due_at=due_at_of(due_on),
        context={"contract": contract.pk, "due_on": due_on.isoformat()},
        reason=_("Due date moved"),
    )
    return instalment


@transaction.atomic
def instalment_delete(*, actor: User, instalment: PaymentInstalment) -> None:
    """Remove an instalment from the plan of an unsigned contract."""
    contract, plan = _plan_for_edit(actor, instalment.plan.contract)
    _check_unsigned(contract)
    instalment = PaymentInstalment.objects.select_for_update().get(pk=instalment.pk)
    delete_as(instalment, actor)
    _recompute(plan, actor)
    _plan_changed(actor, contract)


@transaction.atomic
def plan_rebuild(*, actor: User, contract: Contract) -> PaymentPlan:
    """Replace the plan of an unsigned contract by the one its payment terms (or the
    default template) give, e.g. after the terms were renegotiated."""
    contract, plan = _plan_for_edit(actor, contract)
    _check_unsigned(contract)
    for instalment in _ordered(plan, lock=True):
        delete_as(instalment, actor)
    plan.amount = contract.amount
    save_as(plan, actor)
    _build(plan, contract, actor)
    _plan_changed(actor, contract)
    return plan


@transaction.atomic
def plan_record_event(*, actor: User, contract: Contract, trigger: str, occurred_on: Any) -> int:
    """The delivery (or the acceptance, when the handoff did not record it) happened on
    ``occurred_on``: the instalments waiting for it get their due date and timers. Returns
    how many did."""
    contract, _plan = _plan_for_edit(actor, contract)
    if contract.status != ContractStatus.SIGNED:
        raise DomainError(_("Record the signing first."), code="not_signed")
    if trigger not in EVENT_TRIGGERS:
        raise DomainError(fields={"trigger": [_("Choose the delivery or the acceptance.")]})
    if not isinstance(occurred_on, date):
        raise DomainError(fields={"occurred_on": [_("Give the date of the event.")]})
    if occurred_on > timezone.localdate():
        raise DomainError(fields={"occurred_on": [_("The date cannot be in the future.")]})
    count = _record_event(contract, trigger, occurred_on, actor)
    if not count:
        raise DomainError(
            _("No instalment waits for this event."), code="nothing_waits", fields={"trigger": []}
        )
    return count


# --- receipts ------------------------------------------------------------------------------------


def _over_receipt(message: str, extra: dict[str, Any]) -> Conflict:
    return Conflict(message, code="over_receipt", fields={"amount": [message]}, extra=extra)


def _add_received(plan: PaymentPlan, instalment: PaymentInstalment, delta: Decimal, actor: User) -> None:
    instalment.received_total += delta
    plan.received_total += delta
    settled = instalment.received_total >= instalment.amount_due
    instalment.settled_at = (instalment.settled_at or timezone.now()) if settled else None
    save_as(instalment, actor, update_fields=["received_total", "settled_at", "updated_at"])
    save_as(plan, actor, update_fields=["received_total", "updated_at"])


@transaction.atomic
def receipt_record(*, actor: User, instalment: PaymentInstalment, data: Mapping[str, Any]) -> PaymentReceipt:
    """Record money received against an instalment of a signed contract (R-PAY-1). Under
    the plan's lock: refused (409 ``over_receipt``) when it would take the instalment above
    its amount or the contract above its amount. A fully received instalment's timer is met."""
    contract = lock_contract(instalment.plan.contract_id)
    require_work(actor, contract.opportunity)
    if contract.status != ContractStatus.SIGNED:
        raise DomainError(_("Receipts are recorded on signed contracts only."), code="not_signed")
    plan = _lock_plan(contract)
    instalment = PaymentInstalment.objects.select_for_update().get(pk=instalment.pk, plan=plan)
    receipt = PaymentReceipt(instalment=instalment, recorded_by=actor)
    apply_fields(receipt, data, RECEIPT_FIELDS)
    errors: dict[str, list[str]] = {}
    if isinstance(receipt.amount, Decimal) and receipt.amount <= 0:
        errors["amount"] = [_("The amount must be positive.")]
    if isinstance(receipt.received_on, date) and receipt.received_on > timezone.localdate():
        errors["received_on"] = [_("The date cannot be in the future.")]
    if errors:
        raise DomainError(fields=errors)
    validate(receipt, exclude=["instalment", "recorded_by", "reverses"])
    money = {"currency": contract.currency}
    if receipt.amount > instalment.outstanding:
        raise _over_receipt(
            _("%(amount)s is more than the %(left)s left on this instalment.")
            % {
                "amount": format_money(receipt.amount, contract.currency),
                "left": format_money(instalment.outstanding, contract.currency),
            },
            {**money, "outstanding": str(instalment.outstanding)},
        )
    if plan.received_total + receipt.amount > min(plan.amount, contract.amount):
        raise _over_receipt(
            _("Receipts cannot exceed the contract amount: %(left)s is left to collect.")
            % {"left": format_money(plan.outstanding, contract.currency)},
            {**money, "outstanding": str(plan.outstanding)},
        )
    save_as(receipt, actor)
    _add_received(plan, instalment, receipt.amount, actor)
    if instalment.settled_at is not None:
        timer_satisfy(kind=PAYMENT_OVERDUE, subject=instalment, at=timezone.now())
    return receipt


@transaction.atomic
def receipt_reverse(*, actor: User, receipt: PaymentReceipt, reason: str) -> PaymentReceipt:
    """Correct a receipt recorded by mistake: a reversal entry with its reason takes its
    amount back (the receipt stays, as history). A settled instalment re-opens, with its timer."""
    contract = lock_contract(receipt.instalment.plan.contract_id)
    require_work(actor, contract.opportunity)
    plan = _lock_plan(contract)
    instalment = PaymentInstalment.objects.select_for_update().get(pk=receipt.instalment_id)
    receipt = PaymentReceipt.objects.select_for_update().get(pk=receipt.pk)
    if not (reason or "").strip():
        raise DomainError(fields={"reason": [_("Say why the receipt is reversed.")]})
    if receipt.kind != ReceiptKind.RECEIPT:
        raise DomainError(_("A reversal is not reversed."), code="not_reversible")
    if PaymentReceipt.objects.filter(reverses=receipt).exists():
        raise Conflict(_("This receipt was already reversed."), code="already_reversed")
    reversal = PaymentReceipt(
        instalment=instalment,
        kind=ReceiptKind.REVERSAL,
        amount=receipt.amount,
        received_on=timezone.localdate(),
        method=receipt.method,
        reference=receipt.reference,
        note=reason.strip(),
        reverses=receipt,
        recorded_by=actor,
    )
    save_as(reversal, actor)
    _add_received(plan, instalment, -receipt.amount, actor)
    _start_timer(instalment, contract)
    return reversal
