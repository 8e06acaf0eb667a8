"""Write use cases of the handoff and the customer's acceptance (R-HAND-1..3, R-POST-1).

Every service is keyword-only and atomic, locks the opportunity, then the handoff, then its
acceptances and rectifications (bids/handoff/locks.py), checks permission inside, writes with
``save_as`` (the history row names the actor), and leaves its timers and notifications in the
same transaction (deliveries go out after commit). Views, the API, the admin and the demo
call these.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bids import hooks
from bids.handoff import notifications
from bids.handoff.choices import AcceptanceKind, AcceptanceResult, HandoffStatus, RectificationStatus
from bids.handoff.locks import lock_handoff, lock_rectification
from bids.handoff.package import build_package
from bids.handoff.timers import ACCEPTANCE_PRODUCT, HANDOFF_ACK, RECTIFICATION, SURVEY_KINDS
from bids.models import Contract, CustomerAcceptance, Handoff, Rectification, ServiceGuide
from leads.models import Contact
from opportunities.permissions import can_work_opportunity
from presales.accounts.models import Department, Team, User
from presales.core.errors import DomainError, GateRefused, NotAllowed
from presales.core.roles import Role, scope_of
from presales.core.uploads import Upload, save_upload, validate_upload
from presales.core.writes import check_version, save_as, validate
from presales.sla.calendar import company_tz, compute_due
from presales.sla.selectors import active_policy
from presales.sla.services import timer_cancel, timer_reassign, timer_satisfy, timer_start

SCAN_EXTENSIONS = frozenset({"pdf", "jpg", "jpeg", "png"})
SCAN_MAX_BYTES = 20 * 1024 * 1024
SURVEY_HOUR = time(9, 0)
# Departments a handoff goes to by default, in order of preference (R-HAND-1).
RECEIVING_DEPARTMENTS = (Department.AFTER_SALES, Department.DELIVERY)


# --- who may -------------------------------------------------------------------------------


def _is_top(actor: User) -> bool:
    return actor.is_superuser or actor.has_role(Role.ADMIN, Role.GENERAL_MANAGER)


def can_receive(actor: User, handoff: Handoff) -> bool:
    """Acknowledge a handoff (R-HAND-2): a member or the manager of the receiving team, the
    general manager or an administrator. A handoff without a receiving team (no after-sales
    or delivery team exists) is taken by the manager of the opportunity's team."""
    if not actor.is_authenticated or scope_of(actor) is None:
        return False
    if _is_top(actor):
        return True
    if handoff.receiving_team_id is not None:
        return handoff.receiving_team_id in actor.team_ids
    return actor.manages(handoff.opportunity.team_id)


def can_work_handoff(actor: User, handoff: Handoff) -> bool:
    """Inform the customer, record acceptances, close rectifications: the receiving side
    (above), the after-sales owner, and whoever works the opportunity."""
    if not actor.is_authenticated or scope_of(actor) is None:
        return False
    return (
        can_receive(actor, handoff)
        or actor.pk == handoff.after_sales_owner_id
        or can_work_opportunity(actor, handoff.opportunity)
    )


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


# --- the handoff ---------------------------------------------------------------------------


def default_receiving_team() -> Team | None:
    """The after-sales team, else the delivery team (the first by name), else none."""
    for department in RECEIVING_DEPARTMENTS:
        team = Team.objects.filter(department=department).order_by("name", "pk").first()
        if team is not None:
            return team
    return None


def _ack_owner(handoff: Handoff, fallback: User) -> tuple[User, Team | None]:
    """Who owes the acknowledgment: the receiving team's manager (the sweep escalates to the
    manager of the timer's team); without one, the opportunity's sales owner and team."""
    team = handoff.receiving_team
    if team is not None and team.manager is not None:
        return team.manager, team
    opportunity = handoff.opportunity
    return (opportunity.sales_owner or fallback), (team or opportunity.team)


def handoff_on_signed(*, contract: Contract, actor: User) -> None:
    """``bids.hooks.register_on_signed`` (R-HAND-1): the handoff with its package frozen,
    the acknowledgment timer started (R-HAND-2), the receiving team told. Runs inside the
    signing's transaction under the opportunity's and the contract's locks."""
    if Handoff.objects.filter(contract=contract).exists():
        return
    handoff = Handoff(
        contract=contract,
        opportunity=contract.opportunity,
        receiving_team=default_receiving_team(),
        package=build_package(contract),
    )
    save_as(handoff, actor)
    owner, team = _ack_owner(handoff, actor)
    timer_start(kind=HANDOFF_ACK, subject=handoff, owner=owner, team=team, start=contract.signed_at)
    notifications.handoff_sent(handoff, actor=actor)


def _check_sent(handoff: Handoff) -> None:
    if handoff.status != HandoffStatus.SENT:
        raise DomainError(
            _("A handoff that is %(status)s cannot be changed this way.")
            % {"status": handoff.get_status_display()},
            code="not_sent",
        )


@transaction.atomic
def handoff_route(*, actor: User, handoff: Handoff, team: Team) -> Handoff:
    """Send a handoff not yet acknowledged to another receiving team (whoever works the
    opportunity, or the receiving side); the acknowledgment timer follows its new owner."""
    handoff = lock_handoff(handoff)
    _require(
        can_work_opportunity(actor, handoff.opportunity) or can_receive(actor, handoff),
        _("You cannot route this handoff."),
    )
    _check_sent(handoff)
    if team is None:
        raise DomainError(fields={"receiving_team": [_("Choose the receiving team.")]})
    handoff.receiving_team = team
    save_as(handoff, actor)
    owner, timer_team = _ack_owner(handoff, actor)
    timer_reassign(kind=HANDOFF_ACK, subject=handoff, owner=owner, team=timer_team)
    notifications.handoff_sent(handoff, actor=actor)
    return handoff


@transaction.atomic
def handoff_acknowledge(
    *,
    actor: User,
    handoff: Handoff,
    after_sales_owner: User | None,
    note: str = "",
    expected_version: int | None = None,
) -> Handoff:
    """The receiving team acknowledges the package and names the after-sales owner
    (R-HAND-2): the acknowledgment timer is met; the opportunity's owners are told."""
    handoff = lock_handoff(handoff)
    _require(can_receive(actor, handoff), _("Only the receiving team or a manager acknowledges a handoff."))
    check_version(handoff, expected_version)
    _check_sent(handoff)
    if after_sales_owner is None:
        raise DomainError(fields={"after_sales_owner": [_("Name the after-sales owner.")]})
    if not after_sales_owner.is_active or (
        handoff.receiving_team_id is not None
        and handoff.receiving_team_id not in after_sales_owner.team_ids
        and not _is_top(actor)
    ):
        raise DomainError(
            fields={
                "after_sales_owner": [_("The after-sales owner is an active member of the receiving team.")]
            }
        )
    now = timezone.now()
    handoff.status = HandoffStatus.ACKNOWLEDGED
    handoff.acknowledged_by = actor
    handoff.acknowledged_at = now
    handoff.acknowledgment_note = (note or "").strip()
    handoff.after_sales_owner = after_sales_owner
    validate(handoff, exclude=["contract", "opportunity", "package"])
    save_as(handoff, actor)
    timer_satisfy(kind=HANDOFF_ACK, subject=handoff, at=now)
    notifications.handoff_acknowledged(handoff, actor=actor)
    return handoff


def current_guide(language: str) -> ServiceGuide | None:
    """The guide sent in ``language``: its highest version."""
    return ServiceGuide.objects.filter(language=language).order_by("-version").first()


@transaction.atomic
def handoff_inform_customer(
    *,
    actor: User,
    handoff: Handoff,
    contact: Contact | None,
    language: str,
    contact_name: str = "",
) -> Handoff:
    """The customer is told who the after-sales owner is and sent the after-sales service
    guide (R-HAND-2): the contact told and the guide's version are recorded."""
    handoff = lock_handoff(handoff)
    _require(can_work_handoff(actor, handoff), _("You cannot change this handoff."))
    if handoff.status != HandoffStatus.ACKNOWLEDGED:
        raise GateRefused(
            reasons=[_("The handoff is acknowledged with its after-sales owner first (R-HAND-2).")]
        )
    errors: dict[str, list[str]] = {}
    if contact is not None and contact.customer_id != handoff.opportunity.customer_id:
        errors["contact"] = [_("Choose a contact of this customer.")]
    name = (contact.name if contact is not None else (contact_name or "")).strip()
    if not name:
        errors["contact"] = [_("Say which contact of the customer was told.")]
    guide = current_guide(language)
    if guide is None:
        errors["language"] = [
            _("No after-sales service guide exists in this language; an administrator publishes it.")
        ]
    if errors:
        raise DomainError(fields=errors)
    assert guide is not None
    handoff.customer_informed_at = timezone.now()
    handoff.informed_contact = contact
    handoff.informed_contact_name = name[:100]
    handoff.guide = guide
    handoff.guide_version = guide.version
    save_as(handoff, actor)
    return handoff


# --- acceptance (R-HAND-3) -----------------------------------------------------------------


def _check_scan(scan: Any) -> Upload:
    """A signed acceptance form is a PDF, JPEG or PNG, checked by its content."""
    return validate_upload(scan, field="signed_scan", allowed=SCAN_EXTENSIONS, limit=SCAN_MAX_BYTES)


def _local_noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=company_tz())


def _check_day(value: Any, field: str, errors: dict[str, list[str]]) -> date | None:
    if not isinstance(value, date):
        errors[field] = [_("Give the date.")]
        return None
    if value > timezone.localdate():
        errors[field] = [_("The date cannot be in the future.")]
        return None
    return value


def _check_can_accept(handoff: Handoff, kind: str) -> None:
    """No new acceptance of a kind once one passed, nor while a rectification of that kind is
    open (it is closed first, R-HAND-3)."""
    if handoff.status == HandoffStatus.CANCELLED:
        raise GateRefused(reasons=[_("This handoff was cancelled.")])
    if CustomerAcceptance.objects.filter(handoff=handoff, kind=kind, result=AcceptanceResult.PASSED).exists():
        raise GateRefused(reasons=[_("This handoff already has a passed acceptance of this kind.")])
    if Rectification.objects.filter(
        acceptance__handoff=handoff, acceptance__kind=kind, status=RectificationStatus.OPEN
    ).exists():
        raise GateRefused(reasons=[_("Close the open rectification before recording a new acceptance.")])


def _acceptance_owner(handoff: Handoff, actor: User) -> User:
    opportunity = handoff.opportunity
    return handoff.after_sales_owner or opportunity.presales_owner or opportunity.sales_owner or actor


@transaction.atomic
def acceptance_receive(*, actor: User, handoff: Handoff, received_on: Any) -> CustomerAcceptance:
    """The goods were received (R-HAND-3): the product acceptance is pending and due within
    3 working days of the receipt (timer ``acceptance_product``)."""
    handoff = lock_handoff(handoff)
    _require(can_work_handoff(actor, handoff), _("You cannot change this handoff."))
    _check_can_accept(handoff, AcceptanceKind.PRODUCT)
    errors: dict[str, list[str]] = {}
    day = _check_day(received_on, "received_on", errors)
    if errors:
        raise DomainError(fields=errors)
    assert day is not None
    if CustomerAcceptance.objects.filter(
        handoff=handoff, kind=AcceptanceKind.PRODUCT, result=AcceptanceResult.PENDING
    ).exists():
        raise DomainError(
            _("The goods' receipt is already recorded; record the acceptance's result."), code="exists"
        )
    acceptance = CustomerAcceptance(
        handoff=handoff, kind=AcceptanceKind.PRODUCT, received_on=day, recorded_by=actor
    )
    save_as(acceptance, actor)
    timer_start(
        kind=ACCEPTANCE_PRODUCT,
        subject=acceptance,
        owner=_acceptance_owner(handoff, actor),
        start=_local_noon(day),
        team=handoff.opportunity.team,
    )
    return acceptance


def _schedule_surveys(acceptance: CustomerAcceptance, handoff: Handoff, actor: User) -> None:
    """R-POST-1: the surveys 1, 3 and 6 months after the acceptance date, as timers."""
    assert acceptance.accepted_on is not None
    owner = _acceptance_owner(handoff, actor)
    for months, kind in SURVEY_KINDS.items():
        due = datetime.combine(
            acceptance.accepted_on + relativedelta(months=months), SURVEY_HOUR, tzinfo=company_tz()
        )
        timer_start(
            kind=kind,
            subject=acceptance,
            owner=owner,
            due_at=due,
            start=timezone.now(),
            team=handoff.opportunity.team,
            context={"months": months},
        )


@transaction.atomic
def acceptance_record(
    *,
    actor: User,
    handoff: Handoff,
    kind: str,
    data: Mapping[str, Any],
    scan: Any = None,
) -> CustomerAcceptance:
    """Record an acceptance's result (R-HAND-3): the date, passed or failed, notes and the
    signed scan (required when it passed). A product acceptance completes the pending one
    (or is received and decided at once, with ``received_on``); a service acceptance is the
    meeting's. Failed: a rectification is due within 24 hours (``items``, ``owner``).
    Passed: the ``on_accepted`` hooks run and the surveys are scheduled (R-POST-1)."""
    handoff = lock_handoff(handoff)
    _require(can_work_handoff(actor, handoff), _("You cannot change this handoff."))
    if kind not in AcceptanceKind.values:
        raise DomainError(fields={"kind": [_("Choose product or service acceptance.")]})
    _check_can_accept(handoff, kind)
    unknown = set(data) - {"result", "accepted_on", "notes", "received_on", "items", "owner"}
    if unknown:
        raise DomainError(fields={name: [_("This field cannot be set here.")] for name in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    result = data.get("result")
    if result not in (AcceptanceResult.PASSED, AcceptanceResult.FAILED):
        errors["result"] = [_("Choose passed or failed.")]
    accepted_on = _check_day(data.get("accepted_on"), "accepted_on", errors)
    acceptance: CustomerAcceptance | None = None
    if kind == AcceptanceKind.PRODUCT:
        acceptance = (
            CustomerAcceptance.objects.select_for_update()
            .filter(handoff=handoff, kind=kind, result=AcceptanceResult.PENDING)
            .first()
        )
        if acceptance is None:
            received_on = _check_day(data.get("received_on"), "received_on", errors)
            if received_on is not None:
                acceptance = CustomerAcceptance(handoff=handoff, kind=kind, received_on=received_on)
        if acceptance is not None and accepted_on is not None and accepted_on < acceptance.received_on:
            errors["accepted_on"] = [_("The acceptance cannot be before the goods were received.")]
    else:
        acceptance = CustomerAcceptance(handoff=handoff, kind=kind)
    upload = None
    if scan:
        try:
            upload = _check_scan(scan)
        except DomainError as exc:
            errors.update(exc.fields)
    elif result == AcceptanceResult.PASSED:
        errors["signed_scan"] = [_("Upload the signed acceptance form.")]
    items = str(data.get("items") or data.get("notes") or "").strip()
    if result == AcceptanceResult.FAILED and not items:
        errors["items"] = [_("List what is to be rectified.")]
    rectifier = data.get("owner") or _acceptance_owner(handoff, actor)
    if result == AcceptanceResult.FAILED and not rectifier.is_active:
        errors["owner"] = [_("Choose an active owner.")]
    if errors:
        raise DomainError(fields=errors)
    assert acceptance is not None and accepted_on is not None
    now = timezone.now()
    acceptance.recorded_by = acceptance.recorded_by if acceptance.pk else actor
    acceptance.result = result
    acceptance.accepted_on = accepted_on
    acceptance.notes = str(data.get("notes") or "").strip()
    acceptance.decided_at = now
    if upload is not None:
        save_upload(acceptance.signed_scan, scan, upload)  # stored under a random name
    validate(acceptance, exclude=["handoff", "recorded_by", "signed_scan"])
    save_as(acceptance, actor)
    if kind == AcceptanceKind.PRODUCT:
        timer_satisfy(kind=ACCEPTANCE_PRODUCT, subject=acceptance, at=now)
    if result == AcceptanceResult.FAILED:
        # The due time the timer will compute from the policy in force (24 hours by default).
        due_at = compute_due(active_policy(RECTIFICATION), now)
        rectification = Rectification(acceptance=acceptance, items=items, owner=rectifier, due_at=due_at)
        save_as(rectification, actor)
        timer_start(
            kind=RECTIFICATION,
            subject=rectification,
            owner=rectifier,
            start=now,
            team=handoff.opportunity.team,
        )
        notifications.acceptance_failed(rectification, actor=actor)
    else:
        hooks.run_on_accepted(contract=handoff.contract, accepted_on=accepted_on, actor=actor)
        _schedule_surveys(acceptance, handoff, actor)
    return acceptance


@transaction.atomic
def rectification_close(
    *, actor: User, rectification: Rectification, note: str, expected_version: int | None = None
) -> Rectification:
    """The rectification is done (R-HAND-3), with a note: its timer is met and a new
    acceptance of that kind can be recorded."""
    rectification = lock_rectification(rectification)
    handoff = rectification.acceptance.handoff
    _require(
        can_work_handoff(actor, handoff) or actor.pk == rectification.owner_id,
        _("You cannot change this rectification."),
    )
    check_version(rectification, expected_version)
    if rectification.status != RectificationStatus.OPEN:
        raise DomainError(_("This rectification is already closed."), code="closed")
    if not (note or "").strip():
        raise DomainError(fields={"note": [_("Say what was rectified.")]})
    now = timezone.now()
    rectification.status = RectificationStatus.CLOSED
    rectification.closed_at = now
    rectification.closed_by = actor
    rectification.close_note = note.strip()
    validate(rectification, exclude=["acceptance", "owner", "closed_by"])
    save_as(rectification, actor)
    timer_satisfy(kind=RECTIFICATION, subject=rectification, at=now)
    return rectification


# --- the opportunity closes ----------------------------------------------------------------


def handoff_on_opportunity_closed(*, opportunity: Any, actor: User) -> None:
    """``opportunities.hooks.register_on_closed``: the handoff's open timers stop and a
    handoff not acknowledged yet is cancelled. Refuses nothing."""
    # Most closed deals never reached a handoff: lock only one that exists (a closing deal
    # takes no lock on a table it has no row in, opportunities/locks.py).
    if not Handoff.objects.filter(opportunity=opportunity).exists():
        return
    handoff = Handoff.objects.select_for_update().filter(opportunity=opportunity).first()
    if handoff is None:
        return
    reason = _("The opportunity was closed.")
    timer_cancel(kind=HANDOFF_ACK, subject=handoff, reason=reason)
    if handoff.status == HandoffStatus.SENT:
        handoff.status = HandoffStatus.CANCELLED
        save_as(handoff, actor)
    for acceptance in CustomerAcceptance.objects.select_for_update().filter(handoff=handoff).order_by("pk"):
        timer_cancel(kind=ACCEPTANCE_PRODUCT, subject=acceptance, reason=reason)
        for kind in SURVEY_KINDS.values():
            timer_cancel(kind=kind, subject=acceptance, reason=reason)
    for rectification in (
        Rectification.objects.select_for_update()
        .filter(acceptance__handoff=handoff, status=RectificationStatus.OPEN)
        .order_by("pk")
    ):
        timer_cancel(kind=RECTIFICATION, subject=rectification, reason=reason)
