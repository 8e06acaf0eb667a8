"""Write use cases of retrospectives (R-POST-2).

The retrospective is made by the close itself, inside its transaction: at signing for a won
deal (``bids.hooks.register_on_signed``; signing is the won end, the ``handoff`` move of the
opportunity follows it and needs the signed contract) and at the lost / abandoned move
(``opportunities.hooks.register_on_closed``). Those hooks hold the opportunity's lock (and the
contract's), take the retrospective's after it and refuse nothing. The ``retrospective_due``
timer runs from the close to the meeting. Opportunities are not reopened (no move leaves a
closed stage), so nothing cancels it but holding the meeting.

Every use case below locks the opportunity, then the retrospective (the opportunity's lock
order), checks who may inside, writes with ``save_as`` and keeps its timer in the same
transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from knowledge.choices import ArticleKind, CaseOutcome
from knowledge.models import Article
from knowledge.services import article_create
from kpi.models import CustomerConsent, Retrospective, RetrospectiveOutcome, RetrospectiveStatus
from kpi.retrospectives.timers import RETROSPECTIVE_DUE
from opportunities.choices import CloseReason, ProjectRole, Stage
from opportunities.locks import lock_opportunity
from opportunities.models import Opportunity, ProjectMember
from opportunities.permissions import can_work_opportunity
from presales.accounts.models import User
from presales.core.errors import DomainError, GateRefused, NotAllowed
from presales.core.roles import Role, scope_of
from presales.core.writes import apply_fields, check_version, save_as, validate
from presales.sla.calendar import company_tz, compute_due
from presales.sla.selectors import active_policy
from presales.sla.services import timer_satisfy, timer_start

EDIT_FIELDS = (
    "close_reason",
    "reasons",
    "competitor_name",
    "went_well",
    "lessons",
    "improvements",
    "other_attendees",
    "success_case_summary",
)
OUTCOME_OF_STAGE: dict[str, str] = {
    Stage.LOST: RetrospectiveOutcome.LOST,
    Stage.ABANDONED: RetrospectiveOutcome.ABANDONED,
}
PRESALES_PROJECT_ROLES = (ProjectRole.PRESALES_OWNER, ProjectRole.PRESALES_ENGINEER)


# --- who may -------------------------------------------------------------------------------


def can_work_retrospective(actor: Any, retrospective: Retrospective) -> bool:
    """Whoever works the opportunity (owners, its team, its project team), the manager of its
    team, the general manager and administrators."""
    if not getattr(actor, "is_authenticated", False) or scope_of(actor) is None:
        return False
    opportunity = retrospective.opportunity
    return (
        actor.is_superuser
        or actor.has_role(Role.ADMIN, Role.GENERAL_MANAGER)
        or can_work_opportunity(actor, opportunity)
        or actor.manages(opportunity.team_id)
    )


def _require(actor: Any, retrospective: Retrospective) -> None:
    if not can_work_retrospective(actor, retrospective):
        raise NotAllowed(_("You cannot change this retrospective."))


def _lock(retrospective: Retrospective | int) -> Retrospective:
    """The opportunity, then the retrospective (opportunities/locks.py)."""
    pk = retrospective if isinstance(retrospective, int) else retrospective.pk
    opportunity_id = Retrospective.objects.filter(pk=pk).values_list("opportunity_id", flat=True).get()
    opportunity = lock_opportunity(opportunity_id)
    locked = Retrospective.objects.select_for_update(of=("self",)).get(pk=pk)
    locked.opportunity = opportunity
    return locked


# --- made by the close ---------------------------------------------------------------------


def _owner(opportunity: Opportunity, actor: User) -> User:
    return opportunity.presales_owner or opportunity.sales_owner or actor


def _open(*, opportunity: Opportunity, outcome: str, closed_at: datetime, actor: User) -> Retrospective:
    """The retrospective of ``opportunity`` (made once) and its timer. A deal signed and then
    closed as lost (a contract that fell through) keeps one retrospective, its outcome
    following the last close while it is not held yet."""
    # Most closes make the first retrospective: lock only one that exists (a closing deal
    # takes no lock on a table it has no row in, opportunities/locks.py).
    existing = None
    if Retrospective.objects.filter(opportunity=opportunity).exists():
        existing = Retrospective.objects.select_for_update().filter(opportunity=opportunity).first()
    if existing is not None:
        if existing.status == RetrospectiveStatus.DUE and existing.outcome != outcome:
            existing.outcome = outcome
            existing.close_reason = opportunity.close_reason or existing.close_reason
            save_as(existing, actor)
        return existing
    owner = _owner(opportunity, actor)
    due_at = compute_due(active_policy(RETROSPECTIVE_DUE), closed_at)
    retrospective = Retrospective(
        opportunity=opportunity,
        outcome=outcome,
        closed_at=closed_at,
        due_on=timezone.localtime(due_at, company_tz()).date(),
        close_reason=opportunity.close_reason if opportunity.close_reason in CloseReason.values else "",
        reasons=opportunity.close_note or "",
        competitor_name=(opportunity.winning_competitor or "")[:200],
        competitor_id=opportunity.winner_id,
    )
    save_as(retrospective, actor)
    timer_start(
        kind=RETROSPECTIVE_DUE, subject=retrospective, owner=owner, start=closed_at, team=opportunity.team
    )
    return retrospective


def retrospective_on_signed(*, contract: Any, actor: User) -> None:
    """``bids.hooks.register_on_signed``: the deal is won, its retrospective is due."""
    opportunity = contract.opportunity
    _open(
        opportunity=opportunity,
        outcome=RetrospectiveOutcome.WON,
        closed_at=contract.signed_at or timezone.now(),
        actor=actor,
    )


def retrospective_on_closed(*, opportunity: Opportunity, actor: User) -> None:
    """``opportunities.hooks.register_on_closed``: lost or abandoned, the retrospective is due
    (the close reason, its note and the winning competitor copied in)."""
    outcome = OUTCOME_OF_STAGE.get(opportunity.stage)
    if outcome is None:
        return
    _open(
        opportunity=opportunity,
        outcome=outcome,
        closed_at=opportunity.closed_at or timezone.now(),
        actor=actor,
    )


def retrospective_on_accepted(*, contract: Any, accepted_on: date, actor: User) -> None:
    """``bids.hooks.register_on_accepted``: a won project the customer accepted is proposed as
    a success case (R-POST-2); the customer's consent is asked next. Idempotent (a product
    and a service acceptance both pass)."""
    opportunity = contract.opportunity
    retrospective = Retrospective.objects.select_for_update().filter(opportunity=opportunity).first()
    if retrospective is None:
        retrospective_on_signed(contract=contract, actor=actor)
        retrospective = Retrospective.objects.select_for_update().get(opportunity=opportunity)
    if retrospective.outcome != RetrospectiveOutcome.WON or retrospective.success_case_proposed:
        return
    retrospective.success_case_proposed = True
    save_as(retrospective, actor)


# --- the meeting ---------------------------------------------------------------------------


def presales_people(opportunity: Opportunity) -> set[int]:
    """Who counts as presales at the meeting: the presales owner and the project team's
    presales owner and engineers."""
    ids = set(
        ProjectMember.objects.filter(opportunity=opportunity, role__in=PRESALES_PROJECT_ROLES).values_list(
            "user_id", flat=True
        )
    )
    if opportunity.presales_owner_id:
        ids.add(opportunity.presales_owner_id)
    return ids


def hold_reasons(retrospective: Retrospective, attendee_ids: Iterable[int] | None = None) -> list[str]:
    """Why the retrospective cannot be recorded as held yet (R-POST-2): the reasons, the
    lessons and a presales attendee."""
    reasons = []
    if not (retrospective.reasons or "").strip() and not retrospective.close_reason:
        reasons.append(_("Record why the deal was won or lost."))
    if not (retrospective.lessons or "").strip():
        reasons.append(_("Record the lessons learned."))
    ids = (
        set(attendee_ids)
        if attendee_ids is not None
        else set(retrospective.attendees.values_list("pk", flat=True))
    )
    if not ids & presales_people(retrospective.opportunity):
        reasons.append(
            _("Presales attends the retrospective: the presales owner or a presales engineer of the project.")
        )
    return reasons


def _clean_attendees(attendees: Iterable[User]) -> list[User]:
    people = list(attendees)
    inactive = [str(p) for p in people if not p.is_active]
    if inactive:
        raise DomainError(fields={"attendees": [_("Choose active people.")]})
    return people


@transaction.atomic
def retrospective_update(
    *,
    actor: User,
    retrospective: Retrospective,
    data: Mapping[str, Any],
    attendees: Iterable[User] | None = None,
    expected_version: int | None = None,
) -> Retrospective:
    """Write the retrospective's content (reasons, competitor, lessons, improvements, the
    success case's summary) and its attendees; also after it was held (minutes are
    corrected)."""
    retrospective = _lock(retrospective)
    _require(actor, retrospective)
    check_version(retrospective, expected_version)
    apply_fields(retrospective, data, EDIT_FIELDS)
    for name in EDIT_FIELDS:
        value = getattr(retrospective, name)
        if isinstance(value, str):
            setattr(retrospective, name, value.strip())
    if retrospective.status == RetrospectiveStatus.HELD:
        after = list(attendees) if attendees is not None else None
        refused = hold_reasons(retrospective, [p.pk for p in after] if after is not None else None)
        if refused:
            raise GateRefused(reasons=refused)
    validate(retrospective, exclude=["opportunity", "held_by"])
    save_as(retrospective, actor)
    if attendees is not None:
        retrospective.attendees.set(_clean_attendees(attendees))
    return retrospective


@transaction.atomic
def retrospective_hold(
    *,
    actor: User,
    retrospective: Retrospective,
    held_on: date | None = None,
    expected_version: int | None = None,
) -> Retrospective:
    """Record the meeting as held (R-POST-2): refused with its reasons unless the reasons and
    the lessons are written and presales attended. The timer is met."""
    retrospective = _lock(retrospective)
    _require(actor, retrospective)
    check_version(retrospective, expected_version)
    if retrospective.status == RetrospectiveStatus.HELD:
        raise DomainError(_("This retrospective is already held."), code="held")
    day = held_on or timezone.localdate()
    if not isinstance(day, date):
        raise DomainError(fields={"held_on": [_("Give the date.")]})
    if day > timezone.localdate():
        raise DomainError(fields={"held_on": [_("The date cannot be in the future.")]})
    if day < timezone.localtime(retrospective.closed_at, company_tz()).date():
        raise DomainError(fields={"held_on": [_("The retrospective is held after the close.")]})
    refused = hold_reasons(retrospective)
    if refused:
        raise GateRefused(reasons=refused)
    retrospective.status = RetrospectiveStatus.HELD
    retrospective.held_on = day
    retrospective.held_by = actor
    validate(retrospective, exclude=["opportunity", "held_by"])
    save_as(retrospective, actor)
    timer_satisfy(kind=RETROSPECTIVE_DUE, subject=retrospective, at=timezone.now())
    return retrospective


@transaction.atomic
def retrospective_record_consent(
    *,
    actor: User,
    retrospective: Retrospective,
    consent: str,
    note: str = "",
    summary: str | None = None,
    expected_version: int | None = None,
) -> Retrospective:
    """Record the customer's answer to publishing the project as a success case (R-POST-2).
    Only a proposed case asks; consent given needs the case's summary."""
    retrospective = _lock(retrospective)
    _require(actor, retrospective)
    check_version(retrospective, expected_version)
    if not retrospective.success_case_proposed:
        raise DomainError(
            _("Only a won and accepted project is proposed as a success case."), code="not_proposed"
        )
    errors: dict[str, list[str]] = {}
    if consent not in CustomerConsent.values:
        errors["consent"] = [_("Choose unknown, given or refused.")]
    if summary is not None:
        retrospective.success_case_summary = summary.strip()
    if consent == CustomerConsent.GIVEN and not retrospective.success_case_summary:
        errors["summary"] = [_("Summarise the success case the customer agreed to publish.")]
    note = (note or "").strip()
    if len(note) > 300:
        errors["note"] = [_("At most 300 characters.")]
    if errors:
        raise DomainError(fields=errors)
    retrospective.customer_consent = consent
    retrospective.consent_note = note
    validate(retrospective, exclude=["opportunity", "held_by"])
    if consent == CustomerConsent.GIVEN and retrospective.case_article_id is None:
        retrospective.case_article = _case_article(retrospective, actor)
    save_as(retrospective, actor)
    return retrospective


def _case_article(retrospective: Retrospective, actor: User) -> Article | None:
    """R-POST-2 → R-KB-1: the consented success case becomes a draft solution case of the
    knowledge base, linked to its project (its industry, size and outcome copied), for its
    author to complete and publish; made once. A person who may not write articles (a general
    manager recording the answer) leaves it to the presales owner: no article yet."""
    opportunity = retrospective.opportunity
    customer = opportunity.customer
    body = "\n\n".join(part for part in (retrospective.went_well, retrospective.lessons) if part)
    try:
        return article_create(
            actor=actor,
            data={
                "kind": ArticleKind.SOLUTION_CASE,
                "title": opportunity.title[:200],
                "summary": retrospective.success_case_summary,
                "body": body,
                "industry": customer.industry,
                "size_class": customer.size_class,
                "outcome": CaseOutcome.DELIVERED,
                "opportunity": opportunity,
                "customer_consent": True,
            },
        )
    except NotAllowed:
        return None
