"""Write use cases of the risk register and the credit assessment (R-RISK-1).

Every service is keyword-only and atomic, locks the opportunity first (opportunities/locks.py),
then the risk, then its timer (a leaf); checks the actor may work the opportunity (accepting
takes a manager of its team, a department head over it, or the general manager), validates
into DomainError, writes with history (``save_as``).

- The score is likelihood × impact; reaching the warning threshold on creation, or when the
  likelihood or impact rise, alerts the owner (bids/risks/notifications.py).
- An open risk's review is the ``risk_review`` timer (bids/risks/timers.py), due at its
  review date: restarted by :func:`risk_review_record`, satisfied by :func:`risk_close`.
- An open high risk refuses the contract's submission and its approval (:func:`risk_reasons`,
  registered as a submit check and an approve check in bids/hooks.py) until accepted; an
  accepted risk whose score rises is open again (the manager accepted less).
- No valid credit assessment on the day refuses the submission (:func:`credit_reasons`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bids.models import Contract, CreditAssessment, Risk
from bids.models.risks import warning_score
from bids.risks import notifications
from bids.risks.choices import RiskStatus
from bids.risks.timers import RISK_REVIEW, due_at_of
from opportunities.choices import OPEN_STAGES
from opportunities.locks import lock_opportunity
from opportunities.models import Opportunity
from opportunities.permissions import can_work_opportunity, require_work
from presales.accounts.models import User
from presales.core.errors import DomainError, NotAllowed
from presales.core.roles import Role
from presales.core.writes import apply_fields, check_version, save_as, validate
from presales.sla.services import timer_cancel, timer_satisfy, timer_start

# What a caller may write on a risk: the forms, the API; the status moves by its own services.
RISK_FIELDS = (
    "category",
    "title",
    "description",
    "likelihood",
    "impact",
    "response",
    "response_plan",
    "owner",
    "review_on",
)
CREDIT_FIELDS = ("rating", "credit_limit", "payment_history", "assessed_on", "valid_until")
# Who accepts a high risk on the opportunity's team (R-RISK-1); the general manager anywhere.
TEAM_ACCEPTORS = (Role.PRESALES_MANAGER, Role.SALES_MANAGER, Role.DEPARTMENT_HEAD)


def can_accept(actor: Any, opportunity: Opportunity) -> bool:
    """A presales or sales manager of the opportunity's team, a department head over it, the
    general manager (or a superuser) accepts a risk."""
    if not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_superuser or Role.GENERAL_MANAGER in actor.roles:
        return True
    return bool(actor.roles.intersection(TEAM_ACCEPTORS)) and opportunity.team_id in actor.team_ids


def can_work_risks(actor: Any, opportunity: Opportunity) -> bool:
    return can_work_opportunity(actor, opportunity) or can_accept(actor, opportunity)


def _lock(actor: User, opportunity: Opportunity | int, *, accept: bool = False) -> Opportunity:
    pk = opportunity if isinstance(opportunity, int) else opportunity.pk
    locked = lock_opportunity(pk)
    if accept:
        if not can_accept(actor, locked):
            raise NotAllowed(
                _(
                    "Only a manager of the opportunity's team, a department head or the general manager "
                    "accepts a risk (R-RISK-1)."
                ),
                code="not_manager",
            )
    else:
        require_work(actor, locked)
    return locked


def _lock_risk(actor: User, risk: Risk, *, accept: bool = False) -> Risk:
    opportunity = _lock(actor, risk.opportunity_id, accept=accept)
    locked = Risk.objects.select_for_update().select_related("owner").get(pk=risk.pk)
    locked.opportunity = opportunity
    return locked


def _score(risk: Risk) -> None:
    if isinstance(risk.likelihood, int) and isinstance(risk.impact, int):
        risk.score = risk.likelihood * risk.impact


def _check_live(risk: Risk) -> None:
    if risk.status == RiskStatus.CLOSED:
        raise DomainError(_("This risk is closed."), code="risk_closed")


def _check_owner(risk: Risk) -> None:
    owner = risk.owner
    if not owner.is_active:
        raise DomainError(fields={"owner": [_("Choose an active user.")]})


def _start_review(risk: Risk) -> None:
    timer_start(
        kind=RISK_REVIEW,
        subject=risk,
        owner=risk.owner,
        due_at=due_at_of(risk.review_on),
        team=risk.opportunity.team,
        context={"review_on": risk.review_on.isoformat()},
    )


def _restart_review(risk: Risk, reason: str) -> None:
    timer_cancel(kind=RISK_REVIEW, subject=risk, reason=reason)
    _start_review(risk)


def _alert_if_warning(risk: Risk, *, actor: User, before: int | None) -> None:
    """R-RISK-1: at or over the warning threshold, newly or by a rise, the owner hears of it."""
    if risk.status == RiskStatus.CLOSED or risk.score < warning_score():
        return
    if before is not None and risk.score <= before:
        return
    notifications.risk_warning(risk, actor=actor)


@transaction.atomic
def risk_create(*, actor: User, opportunity: Opportunity, data: Mapping[str, Any]) -> Risk:
    """Record a risk of ``opportunity`` (owner: the actor unless given; review date: in
    ``RISK_REVIEW_DAYS`` unless given); its review timer starts, and a risk at the warning
    threshold alerts its owner."""
    opportunity = _lock(actor, opportunity)
    if opportunity.stage not in OPEN_STAGES:
        raise DomainError(_("The opportunity is closed."), code="closed")
    risk = Risk(opportunity=opportunity, created_by=actor, owner=actor)
    apply_fields(risk, data, RISK_FIELDS)
    if not data.get("review_on"):
        risk.review_on = timezone.localdate() + timedelta(days=settings.RISK_REVIEW_DAYS)
    _score(risk)
    validate(risk, exclude=["opportunity", "created_by"])
    _check_owner(risk)
    save_as(risk, actor)
    _start_review(risk)
    _alert_if_warning(risk, actor=actor, before=None)
    return risk


@transaction.atomic
def risk_update(
    *, actor: User, risk: Risk, data: Mapping[str, Any], expected_version: int | None = None
) -> Risk:
    """Change a live risk. A rise of its score to the warning threshold alerts the owner; a
    rise of an accepted risk's score opens it again; a new owner or review date moves the
    review timer."""
    risk = _lock_risk(actor, risk)
    check_version(risk, expected_version)
    _check_live(risk)
    before = {name: getattr(risk, f"{name}_id" if name == "owner" else name) for name in RISK_FIELDS}
    old_score = risk.score
    apply_fields(risk, data, RISK_FIELDS)
    _score(risk)
    validate(risk, exclude=["opportunity", "created_by"])
    _check_owner(risk)
    if risk.status == RiskStatus.ACCEPTED and risk.score > old_score:
        risk.status = RiskStatus.OPEN
        risk.accepted_by, risk.accepted_at, risk.acceptance_reason = None, None, ""
    save_as(risk, actor)
    if risk.owner_id != before["owner"] or risk.review_on != before["review_on"]:
        _restart_review(risk, _("Review date or owner changed"))
    _alert_if_warning(risk, actor=actor, before=old_score)
    return risk


@transaction.atomic
def risk_review_record(
    *, actor: User, risk: Risk, next_review_on: date, note: str = "", expected_version: int | None = None
) -> Risk:
    """Record the periodic review of a live risk (R-RISK-1): the note and the next review
    date; the review timer starts again for that date."""
    risk = _lock_risk(actor, risk)
    check_version(risk, expected_version)
    _check_live(risk)
    if not isinstance(next_review_on, date) or next_review_on <= timezone.localdate():
        raise DomainError(fields={"next_review_on": [_("Give the next review date, after today.")]})
    risk.review_on = next_review_on
    risk.review_note = (note or "").strip()
    risk.last_reviewed_at = timezone.now()
    save_as(risk, actor)
    _restart_review(risk, _("Reviewed"))
    return risk


@transaction.atomic
def risk_accept(*, actor: User, risk: Risk, reason: str, expected_version: int | None = None) -> Risk:
    """A manager accepts an open risk with a reason (R-RISK-1): it no longer blocks the
    contract's approval. An engineer or a sales rep cannot (403)."""
    risk = _lock_risk(actor, risk, accept=True)
    check_version(risk, expected_version)
    if risk.status != RiskStatus.OPEN:
        raise DomainError(
            _("Only an open risk is accepted; this one is %(status)s.")
            % {"status": risk.get_status_display().lower()},
            code="not_open",
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(fields={"reason": [_("Say why the risk is accepted.")]})
    risk.status = RiskStatus.ACCEPTED
    risk.accepted_by = actor
    risk.accepted_at = timezone.now()
    risk.acceptance_reason = reason
    save_as(risk, actor)
    return risk


@transaction.atomic
def risk_close(*, actor: User, risk: Risk, note: str = "", expected_version: int | None = None) -> Risk:
    """The risk is over (avoided, happened and dealt with, no longer relevant): closed, its
    review timer satisfied."""
    risk = _lock_risk(actor, risk)
    check_version(risk, expected_version)
    _check_live(risk)
    risk.status = RiskStatus.CLOSED
    risk.closed_at = timezone.now()
    risk.close_note = (note or "").strip()
    save_as(risk, actor)
    timer_satisfy(kind=RISK_REVIEW, subject=risk, at=risk.closed_at)
    return risk


def risks_on_opportunity_closed(*, opportunity: Any, actor: User) -> None:
    """Close hook (lost or abandoned): the review timers of its risks stop."""
    for risk in Risk.objects.filter(opportunity=opportunity).live().order_by("pk"):
        timer_cancel(kind=RISK_REVIEW, subject=risk, reason="opportunity closed")


# --- the contract's gates (bids/hooks.py) -------------------------------------------------------


def risk_reasons(*, contract: Contract) -> list[str]:
    """R-RISK-1: every open high risk of the contract's opportunity refuses its submission
    to approval and its approval, until a manager accepts it."""
    risks = Risk.objects.filter(opportunity_id=contract.opportunity_id).open().high().order_by("-score", "pk")
    return [
        _("The high risk “%(title)s” (score %(score)s) is open: a manager must accept it first (R-RISK-1).")
        % {"title": risk.title, "score": risk.score}
        for risk in risks
    ]


def valid_assessment(opportunity_id: int, day: date | None = None) -> CreditAssessment | None:
    day = day or timezone.localdate()
    return (
        CreditAssessment.objects.filter(opportunity_id=opportunity_id)
        .valid_on(day)
        .order_by("-assessed_on", "-id")
        .first()
    )


def credit_reasons(*, contract: Contract) -> list[str]:
    """R-RISK-1: the customer's credit is assessed (and still valid) before the contract
    goes to approval."""
    if valid_assessment(contract.opportunity_id) is None:
        return [_("Record the customer's credit assessment before submitting the contract (R-RISK-1).")]
    return []


# --- the credit assessment ----------------------------------------------------------------------


@transaction.atomic
def credit_assessment_record(
    *, actor: User, opportunity: Opportunity, data: Mapping[str, Any]
) -> CreditAssessment:
    """Record the customer's credit assessment for ``opportunity`` (客戶信用評估): rating,
    limit, payment history, assessed on (today unless given), valid until (a year unless
    given). A new assessment is a new row; the latest valid one counts."""
    opportunity = _lock(actor, opportunity)
    assessment = CreditAssessment(opportunity=opportunity, assessed_by=actor)
    apply_fields(assessment, data, CREDIT_FIELDS)
    if not data.get("assessed_on"):
        assessment.assessed_on = timezone.localdate()
    if not data.get("valid_until"):
        assessment.valid_until = assessment.assessed_on + timedelta(days=365)
    validate(assessment, exclude=["opportunity", "assessed_by"])
    save_as(assessment, actor)
    return assessment


__all__ = [
    "CREDIT_FIELDS",
    "RISK_FIELDS",
    "can_accept",
    "credit_assessment_record",
    "credit_reasons",
    "risk_accept",
    "risk_close",
    "risk_create",
    "risk_reasons",
    "risk_review_record",
    "risk_update",
    "risks_on_opportunity_closed",
]
