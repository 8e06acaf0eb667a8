"""Write use cases of the opportunity lifecycle (R-OPP-1..3).

Every service is keyword-only and atomic, re-reads the rows it changes under their locks,
taken through opportunities/locks.py in the aggregate's one order (opportunity → initiation →
review → tasks), checks permission inside, validates, saves with the actor as the audit
author and schedules follow-ups with ``transaction.on_commit``. Views, the API, the review
engine's callbacks and the demo builder all call these; nothing else writes opportunities,
their stage, the initiation status or the project team.

One door per state: the opportunity's stage is written only by ``_move`` (checked against
``MACHINE``, with its ``StageChange`` row), the initiation's status only by
``_initiation_move`` (checked against ``INITIATION_MACHINE``, with its
``InitiationStatusChange`` row). Follow-ups of a move are called explicitly from there.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leads.choices import LeadStatus
from leads.models import Customer, Lead
from leads.selectors import default_opportunity_title
from leads.services import customer_record_progress, lead_presales_owner, lead_qualify
from opportunities import notes
from opportunities.choices import InitiationStatus, ProjectRole, Stage
from opportunities.competitors.services import link_winner, sync_opportunity_competitors
from opportunities.hooks import run_on_closed, run_update_validators
from opportunities.locks import lock_initiation, lock_opportunity, lock_opportunity_and_initiation
from opportunities.models import (
    InitiationMember,
    InitiationStatusChange,
    Opportunity,
    ProjectInitiation,
    ProjectMember,
    StageChange,
)
from opportunities.notes import REVIEWED_FACT_LABELS, describe_changes
from opportunities.permissions import require_work, require_writer
from opportunities.timers import start_initiation_timer
from opportunities.transitions import INITIATION_MACHINE, MACHINE
from presales.accounts.models import User
from presales.core.errors import Conflict, DomainError
from presales.core.money import BASE_CURRENCY
from presales.core.notes import SystemNote, note_fields, note_text, system_note
from presales.core.roles import PRESALES_ROLES, SALES_ROLES
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
from presales.sla.defaults import INITIATION_REVIEW
from presales.sla.notifications import NotificationKind, notify, register_notification_kind
from presales.sla.services import timer_cancel, timer_satisfy
from reviews.models import Review
from reviews.services import review_cancel_for_subject, review_start

# What a caller may write on an opportunity, in display order: the one declaration the web
# form, the API serializer and the admin derive their field lists from.
OPPORTUNITY_FIELDS = (
    "customer",
    "title",
    "description",
    "amount",
    "currency",
    "fx_rate_to_cny",
    "fx_rate_date",
    "expected_close",
    "competitors",
    "has_tender",
    "team",
    "sales_owner",
    "presales_owner",
)
# What a move may carry besides its note; each move names the ones it asks for.
MOVE_CONTEXT_FIELDS = {"reason", "winning_competitor", "bid_skip_reason"}
INITIATION_FIELDS = {"background", "sales_strategy", "expected_goals"}
# Told to the request's author when a reviewed fact changed after its approval (R-REV-5).
INITIATION_REOPENED = register_notification_kind(
    NotificationKind("initiation_reopened", gettext_lazy("Project initiations sent back to review"))
).kind
OWNER_ROLES = (ProjectRole.SALES_OWNER, ProjectRole.PRESALES_OWNER)


# --- helpers -----------------------------------------------------------------------------


def clean_competitors(value: Any) -> list[str]:
    """Competitors as a list of distinct names; accepts a list or comma/newline separated text."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.replace("，", ",").replace("\n", ",").split(",")
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise DomainError(fields={"competitors": [_("Give the competitors as a list of names.")]})
    names: list[str] = []
    for raw in value:
        name = raw.strip()
        if len(name) > 200:
            raise DomainError(fields={"competitors": [_("A competitor's name is at most 200 characters.")]})
        if name and name not in names:
            names.append(name)
    return names


def _check_people(opportunity: Opportunity) -> None:
    errors = {}
    for name in ("sales_owner", "presales_owner"):
        user = getattr(opportunity, name)
        if user is not None and not user.is_active:
            errors[name] = [_("This person's account is deactivated.")]
    if errors:
        raise DomainError(fields=errors)


def _check_roles(opportunity: Opportunity, names: Iterable[str]) -> None:
    """The owners named (or changed) hold the owning roles: a sales rep or manager owns the
    deal (R-OPP-1), a presales engineer or manager its technical side (R-CUST-5)."""
    if "sales_owner" in names:
        require_role(
            opportunity.sales_owner,
            SALES_ROLES,
            field="sales_owner",
            message=_("Choose a sales rep or sales manager."),
        )
    if "presales_owner" in names:
        require_role(
            opportunity.presales_owner,
            PRESALES_ROLES,
            field="presales_owner",
            message=_("Choose a presales engineer or presales manager."),
        )


def _check_customer(actor: User, customer: Customer | None) -> None:
    if customer is None:
        return
    if not Customer.objects.visible_to(actor).active().filter(pk=customer.pk).exists():
        raise DomainError(fields={"customer": [_("Choose an active customer you can see.")]})


# --- opportunities -----------------------------------------------------------------------


EXPECTED_CLOSE_MAX_YEARS = 10


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def _check_expected_close(opportunity: Opportunity, before: date | None = None, *, new: bool) -> None:
    """A set or changed expected close lies between today and ten years ahead; an unchanged
    one stays valid even after its day passed (the deal simply slipped)."""
    value = opportunity.expected_close
    if value is None or (not new and value == before):
        return
    today = timezone.localdate()
    latest = _years_after(today, EXPECTED_CLOSE_MAX_YEARS)
    if value < today:
        message = _("The expected close cannot be in the past.")
    elif value > latest:
        message = _("The expected close must be within %(years)d years (by %(latest)s).") % {
            "years": EXPECTED_CLOSE_MAX_YEARS,
            "latest": latest.isoformat(),
        }
    else:
        return
    raise DomainError(fields={"expected_close": [message]})


def _create(
    *, actor: User, data: dict[str, Any], lead: Lead | None = None, carried: dict[str, Any] | None = None
) -> Opportunity:
    """``data`` is what the caller chose (checked as chosen); ``carried`` what the source lead
    hands on (its team and owners, taken as they are when the caller does not override them)."""
    require_writer(actor)
    named = [name for name in ("sales_owner", "presales_owner") if data.get(name) is not None]
    data = {**(carried or {}), **data}
    if "competitors" in data:
        data["competitors"] = clean_competitors(data["competitors"])
    opportunity = Opportunity(lead=lead)
    apply_fields(opportunity, data, OPPORTUNITY_FIELDS)
    _clear_rate_for_cny(opportunity, data)
    customer = data.get("customer")
    if customer is None:
        raise DomainError(fields={"customer": [_("Choose the customer.")]})
    _check_customer(actor, customer)
    if opportunity.team_id is None:
        opportunity.team_id = customer.team_id or actor.team_id
    # The team is one of the actor's, or the one of the record the opportunity comes from.
    require_team(actor, opportunity.team_id, inherited=[customer.team_id, lead.team_id if lead else None])
    if opportunity.sales_owner_id is None:
        opportunity.sales_owner_id = customer.owner_id or actor.pk
    if opportunity.presales_owner_id is None and customer.primary_presales is not None:
        # The customer's primary holds a presales role: naming one checks it (R-CUST-5).
        opportunity.presales_owner = customer.primary_presales
    opportunity.stage = Stage.LEAD_INTAKE
    opportunity.stage_entered_at = timezone.now()
    validate(opportunity)
    _check_expected_close(opportunity, new=True)
    _check_people(opportunity)
    # Owners the caller names hold the owning roles; the default sales owner (the customer's
    # owner, the lead's owner or the actor) is a writer of the customer and is kept as it is.
    _check_roles(opportunity, named)
    save_as(opportunity, actor)
    if opportunity.competitors:
        # R-COMP-1: the names become competitor records in play on the opportunity.
        sync_opportunity_competitors(actor=actor, opportunity=opportunity, names=opportunity.competitors)
    ensure_still_visible(Opportunity.objects, opportunity, actor)
    return opportunity


@transaction.atomic
def opportunity_create(*, actor: User, data: dict[str, Any]) -> Opportunity:
    """Open an opportunity directly on a customer (R-OPP-1); it starts in lead intake.

    Team, sales owner and presales owner default to the customer's (R-CUST-5).
    """
    return _create(actor=actor, data=data)


def carried_description(lead: Lead) -> str:
    """What the lead knew that the opportunity has no field for, as one text the owners can
    edit: background, initial needs, the timing and the qualification's competition and
    timeline assessments (R-LEAD-4), each labelled."""
    labelled = (
        (_("Timing"), lead.timing),
        (_("Competition assessment"), lead.eval_competition),
        (_("Timeline assessment"), lead.eval_timeline),
    )
    parts = [x for x in (lead.background, lead.initial_needs) if x]
    parts += [f"{label}: {text}" for label, text in labelled if text]
    return "\n\n".join(parts)


@transaction.atomic
def opportunity_create_from_lead(
    *, actor: User, lead: Lead, data: dict[str, Any] | None = None
) -> Opportunity:
    """R-OPP-1: the opportunity of a qualified lead, carrying its customer, budget, team
    and owners. One lead gives at most one opportunity."""
    lead = Lead.objects.select_for_update(of=("self",)).select_related("customer").get(pk=lead.pk)
    if lead.status != LeadStatus.QUALIFIED or lead.customer is None:
        raise Conflict(_("Only a qualified lead with a customer becomes an opportunity."))
    if Opportunity.objects.filter(lead=lead).exists():
        raise Conflict(_("This lead already has an opportunity."), code="duplicate")
    carried = {
        "customer": lead.customer,
        "title": default_opportunity_title(lead),
        "description": carried_description(lead),
        "amount": lead.budget if lead.budget is not None else Decimal(0),
        "team": lead.team,
        "sales_owner": lead.owner,
    }
    # Carried over only when the lead's presales owner holds a presales role (R-CUST-5);
    # otherwise the customer's primary presales engineer takes the technical side.
    presales = lead_presales_owner(lead)
    if presales is not None:
        carried["presales_owner"] = presales
    return _create(actor=actor, data=dict(data or {}), lead=lead, carried=carried)


@transaction.atomic
def opportunity_qualify_lead(
    *,
    actor: User,
    lead: Lead,
    evaluation: dict[str, Any],
    customer: Customer | None = None,
    data: dict[str, Any] | None = None,
) -> Opportunity:
    """R-LEAD-4 then R-OPP-1, in one transaction: qualify the lead (its customer, contact and
    communications, ``leads.services.lead_qualify``) and open the opportunity it becomes
    (``data`` overrides the defaults taken from the lead, e.g. amount, expected close,
    competitors). Either both happen or neither."""
    lead = lead_qualify(actor=actor, lead=lead, evaluation=evaluation, customer=customer)
    return opportunity_create_from_lead(actor=actor, lead=lead, data=data)


@transaction.atomic
def opportunity_update(
    *, actor: User, opportunity: Opportunity, data: dict[str, Any], expected_version: int | None = None
) -> Opportunity:
    """Change an open opportunity's facts. Never the stage: that moves through
    :func:`opportunity_move`. The tender decision is fixed once the bid stage was entered
    or skipped; an owner change is reflected on a formed project team."""
    opportunity = lock_opportunity(opportunity.pk)
    require_work(actor, opportunity)
    check_version(opportunity, expected_version)
    if not opportunity.is_open:
        raise Conflict(_("A closed opportunity cannot be edited."))
    data = dict(data)
    if "competitors" in data:
        data["competitors"] = clean_competitors(data["competitors"])
    before = {
        "sales_owner": opportunity.sales_owner_id,
        "presales_owner": opportunity.presales_owner_id,
        "has_tender": opportunity.has_tender,
        "customer": opportunity.customer_id,
        "team": opportunity.team_id,
    }
    expected_close_before = opportunity.expected_close
    facts_before = reviewed_facts(opportunity)
    apply_fields(opportunity, data, OPPORTUNITY_FIELDS)
    _clear_rate_for_cny(opportunity, data)
    if opportunity.has_tender != before["has_tender"] and opportunity.stage in (Stage.BID, Stage.CONTRACT):
        raise DomainError(
            fields={
                "has_tender": [_("The tender decision is fixed once the bid stage is entered or skipped.")]
            }
        )
    hook_errors = run_update_validators(opportunity=opportunity, before=before)
    if hook_errors:
        raise DomainError(fields=hook_errors)
    if opportunity.customer_id != before["customer"]:
        _check_customer(actor, opportunity.customer)
    if opportunity.team_id != before["team"]:
        require_team(actor, opportunity.team_id, inherited=[opportunity.customer.team_id])
    validate(opportunity)
    _check_expected_close(opportunity, expected_close_before, new=False)
    _check_people(opportunity)
    _check_roles(
        opportunity, [name for name in ("sales_owner", "presales_owner") if _moved(opportunity, before, name)]
    )
    save_as(opportunity, actor)
    if "competitors" in data:
        # R-COMP-1: the names given are the competitors in play (records created when new).
        sync_opportunity_competitors(actor=actor, opportunity=opportunity, names=data["competitors"])
    _sync_owner_members(
        opportunity,
        actor,
        {
            ProjectRole.SALES_OWNER: (before["sales_owner"], opportunity.sales_owner_id),
            ProjectRole.PRESALES_OWNER: (before["presales_owner"], opportunity.presales_owner_id),
        },
    )
    _initiation_after_change(
        opportunity,
        actor,
        facts_before=facts_before,
        owners_changed=[
            name for name in ("sales_owner", "presales_owner") if _moved(opportunity, before, name)
        ],
    )
    ensure_still_visible(Opportunity.objects, opportunity, actor)
    return opportunity


def _clear_rate_for_cny(opportunity: Opportunity, data: dict) -> None:
    """An amount moved to CNY needs no rate: the old one is dropped unless the caller sent
    one (which the model then refuses, R-REV-4)."""
    if opportunity.currency == BASE_CURRENCY and "fx_rate_to_cny" not in data:
        opportunity.fx_rate_to_cny = None
        if "fx_rate_date" not in data:
            opportunity.fx_rate_date = None


def reviewed_facts(opportunity: Opportunity) -> dict[str, str | None]:
    """The facts an approval of the initiation is given on, as comparable text: the amount,
    its currency and, for a foreign amount, its rate to CNY (R-REV-4, R-REV-5)."""
    rate = opportunity.fx_rate_to_cny
    return {
        "amount": f"{Decimal(opportunity.amount):.2f}",
        "currency": opportunity.currency,
        "fx_rate_to_cny": f"{Decimal(rate):.6f}"
        if opportunity.currency != BASE_CURRENCY and rate is not None
        else None,
    }


def _changed_facts(old: dict, new: dict) -> list[str]:
    return [name for name in REVIEWED_FACT_LABELS if old.get(name) != new.get(name)]


def _initiation_after_change(
    opportunity: Opportunity, actor: User, *, facts_before: dict[str, Any], owners_changed: list[str]
) -> None:
    """R-REV-5: a changed subject needs a new review. Under the opportunity's lock, its
    initiation next (opportunities/locks.py):

    - approved, and a reviewed fact differs from the one approved (recorded on approval;
      for a request approved before facts were recorded, from the one before this change):
      it goes back to draft (move ``reopen``, the note naming what changed), its author is
      told, and forward moves wait for the new approval (gate ``initiation_not_reopened``);
    - in review, and a reviewed fact or an owner changed: the review is withdrawn (the
      request is a draft again), since the plan was made on the old facts and owners, and an
      owner may not decide on it.
    """
    # The opportunity is locked already (re-locking it is free): its initiation next.
    _locked, initiation = lock_opportunity_and_initiation(opportunity.pk)
    if initiation is None:
        return
    initiation.opportunity = opportunity
    facts_now = reviewed_facts(opportunity)
    if initiation.status == InitiationStatus.APPROVED:
        approved_on = initiation.reviewed_facts or facts_before
        changed = _changed_facts(approved_on, facts_now)
        if changed:
            _initiation_reopen(initiation, actor, old=approved_on, new=facts_now, changed=changed)
    elif initiation.status == InitiationStatus.IN_REVIEW:
        changed = _changed_facts(facts_before, facts_now)
        reasons = [describe_changes(facts_before, facts_now, changed)] if changed else []
        reasons += [_("the %(owner)s changed") % {"owner": _owner_label(name)} for name in owners_changed]
        if reasons:
            review_cancel_for_subject(
                actor=actor,
                subject=initiation,
                reason=_("The opportunity changed: %(changes)s.") % {"changes": "; ".join(reasons)},
            )


def _owner_label(name: str) -> str:
    field = Opportunity._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


def _initiation_reopen(
    initiation: ProjectInitiation,
    actor: User,
    *,
    old: dict[str, Any],
    new: dict[str, Any],
    changed: list[str],
) -> None:
    """The approved request goes back to draft for a new review (its status change names
    what changed), and its author is told, in their language."""
    note = system_note(notes.FACTS_CHANGED, old=old, new=new, changed=changed)
    change = _initiation_move(initiation, actor=actor, move="reopen", note=note, check_permission=False)
    author = initiation.submitted_by or initiation.opportunity.sales_owner
    with translation.override(author.language or None):
        title = _("The project initiation of %(title)s needs a new review") % {
            "title": initiation.opportunity.title
        }
        body = _(
            "Reviewed facts changed: %(changes)s. Send it to review again before the opportunity moves on."
        ) % {"changes": describe_changes(old, new, changed)}
    notify(
        recipient=author,
        kind=INITIATION_REOPENED,
        key=f"initiation:{initiation.pk}:reopened:{change.pk}",
        title=title,
        body=body,
        url=initiation.get_absolute_url(),
    )


def _moved(opportunity: Opportunity, before: dict[str, Any], name: str) -> bool:
    return getattr(opportunity, f"{name}_id") != before[name]


def _sync_owner_members(opportunity: Opportunity, actor: User, changes: dict[str, Any]) -> None:
    """Once the team is formed, the owners' rows follow the opportunity's owners."""
    if not opportunity.members.exists():
        return
    for role, (old, new) in changes.items():
        if old == new:
            continue
        for member in ProjectMember.objects.filter(opportunity=opportunity, user_id=old, role=role):
            delete_as(member, actor)
        if new is not None:
            member, _created = ProjectMember.objects.get_or_create(
                opportunity=opportunity, user_id=new, defaults={"role": role}
            )
            if member.role != role:
                member.role = role
                save_as(member, actor)


@transaction.atomic
def opportunity_move(
    *, actor: User, opportunity: Opportunity, move: str, note: str = "", **context: Any
) -> Opportunity:
    """Move the opportunity along the lifecycle (R-OPP-3): one table of moves, each gate a
    named guard. Refusals raise NotAllowed (403) or GateRefused (409 with the reasons) and
    change nothing. A move writes the stage, its StageChange row (who, when, from, to,
    note) and the audit row; a move is progress with the customer (R-CUST-3).

    ``context`` carries what the move asks for: ``reason`` and ``winning_competitor`` to
    close as lost or abandoned, ``bid_skip_reason`` to skip the bid.
    """
    opportunity = lock_opportunity(opportunity.pk)
    return _move(actor=actor, opportunity=opportunity, name=move, note=note, context=context)


def _move(
    *,
    actor: User,
    opportunity: Opportunity,
    name: str,
    note: str | SystemNote,
    context: dict[str, Any],
    check_permission: bool = True,
) -> Opportunity:
    """The body of a move on a locked opportunity (the caller holds its lock). A system
    ``note`` is kept as its code, shown in the reader's language (presales.core.notes)."""
    unknown = set(context) - MOVE_CONTEXT_FIELDS
    if unknown:
        raise DomainError(fields={k: [_("This field cannot be set here.")] for k in sorted(unknown)})
    stored_note = note_fields(note)
    note = note_text(note)
    context = {k: str(v or "").strip() for k, v in context.items()}
    move = MACHINE.check(opportunity, actor, name, check_permission=check_permission, note=note, **context)
    now = timezone.now()
    from_stage = opportunity.stage
    details = {k: context[k] for k in move.input_fields if context.get(k)}
    opportunity.stage = move.target
    opportunity.stage_entered_at = now
    if move.target in (Stage.LOST, Stage.ABANDONED):
        opportunity.close_reason = context["reason"]
        opportunity.close_note = note
        opportunity.winning_competitor = context.get("winning_competitor", "")
        # R-COMP-1: the winner named is linked to its competitor record.
        link_winner(actor=actor, opportunity=opportunity, name=opportunity.winning_competitor)
        opportunity.closed_at = now
    elif move.target == Stage.HANDOFF:
        opportunity.closed_at = now
    if name == "skip_bid":
        opportunity.bid_skip_reason = context["bid_skip_reason"]
    validate(opportunity)
    save_as(opportunity, actor)
    StageChange.objects.create(
        opportunity=opportunity,
        from_stage=from_stage,
        to_stage=move.target,
        move=name,
        actor=actor,
        **stored_note,
        details=details,
        at=now,
    )
    customer_record_progress(customer_id=opportunity.customer_id, at=now)
    if move.target in (Stage.LOST, Stage.ABANDONED):
        _cancel_pending_initiation(opportunity, actor)
        # The apps above stop their work in progress (solution reviews, demos, trials, ...).
        run_on_closed(opportunity=opportunity, actor=actor)
    return opportunity


def _cancel_pending_initiation(opportunity: Opportunity, actor: User) -> None:
    """A closed opportunity needs no initiation decision: its review in progress is withdrawn.
    Under the opportunity's lock; the initiation, then its review, are locked next (the order
    of opportunities/locks.py), by the review engine through the initiation's ``lock`` hook."""
    initiation = ProjectInitiation.objects.filter(
        opportunity=opportunity, status=InitiationStatus.IN_REVIEW
    ).first()
    if initiation is not None:
        review_cancel_for_subject(
            actor=actor,
            subject=initiation,
            reason=_("The opportunity was closed (%(stage)s).") % {"stage": opportunity.get_stage_display()},
        )


# --- project initiation (R-OPP-2) --------------------------------------------------------


def _clean_team(opportunity: Opportunity, team: Iterable[dict]) -> list[dict]:
    """Validate the proposed members: active people, known roles, each person once.
    The owners join with their own roles when the team is formed, so those two roles are
    not proposed (one presales owner per project, R-CUST-5)."""
    cleaned: list[dict] = []
    seen: set[int] = set()
    errors: list[str] = []
    for row in team:
        user, role = row.get("user"), row.get("role")
        if user is None:
            continue
        if not isinstance(user, User):
            user = User.objects.filter(pk=user).first()
            if user is None:
                errors.append(_("Unknown person."))
                continue
        if not user.is_active:
            errors.append(_("%(name)s's account is deactivated.") % {"name": user})
        elif role not in ProjectRole.values:
            errors.append(_("Choose the role of %(name)s.") % {"name": user})
        elif role in OWNER_ROLES:
            errors.append(
                _("%(name)s: the owners join the team with their roles; choose another role.")
                % {"name": user}
            )
        elif user.pk in seen:
            errors.append(_("%(name)s is proposed twice.") % {"name": user})
        elif user.pk in (opportunity.sales_owner_id, opportunity.presales_owner_id):
            errors.append(_("%(name)s is an owner and joins the team as such.") % {"name": user})
        else:
            seen.add(user.pk)
            cleaned.append(
                {"user": user, "role": role, "responsibility": str(row.get("responsibility") or "").strip()}
            )
    if errors:
        raise DomainError(fields={"team": errors})
    return cleaned


@transaction.atomic
def initiation_save(
    *,
    actor: User,
    opportunity: Opportunity,
    data: dict[str, Any],
    team: Iterable[dict[str, Any]] | None = None,
    expected_version: int | None = None,
) -> ProjectInitiation:
    """Write the project initiation request (項目立項申請表, R-OPP-2): basic facts, sales
    strategy, expected goals and the proposed team (``team`` replaces it when given: rows of
    ``user``, ``role``, ``responsibility``). Only a draft or rejected request changes; each
    change raises its revision, so a rejected request must change before review again.
    ``expected_version`` is the version of the request the writer read (none for a first
    write)."""
    opportunity, initiation = lock_opportunity_and_initiation(opportunity.pk)
    require_work(actor, opportunity)
    if not opportunity.is_open:
        raise Conflict(_("The opportunity is closed."))
    if initiation is None:
        initiation = ProjectInitiation(opportunity=opportunity)
    else:
        check_version(initiation, expected_version)
    if initiation.status == InitiationStatus.IN_REVIEW:
        raise Conflict(_("The request is in review: withdraw it to change it."))
    elif initiation.status == InitiationStatus.APPROVED:
        raise Conflict(_("The request is approved and can no longer change."))
    before = {name: getattr(initiation, name) for name in INITIATION_FIELDS}
    apply_fields(initiation, {k: str(v or "").strip() for k, v in data.items()}, INITIATION_FIELDS)
    validate(initiation, exclude=["opportunity"])
    changed = any(getattr(initiation, name) != value for name, value in before.items())
    new_team = _clean_team(opportunity, team) if team is not None else None
    current = (
        [(m.user_id, m.role, m.responsibility) for m in initiation.proposed_members.all()]
        if initiation.pk
        else []
    )
    team_changed = new_team is not None and current != [
        (r["user"].pk, r["role"], r["responsibility"]) for r in new_team
    ]
    if initiation.pk and (changed or team_changed):
        initiation.revision += 1
    if not initiation.pk or changed or team_changed:
        save_as(initiation, actor)
    if team_changed and new_team is not None:  # a changed team is a new one
        for member in initiation.proposed_members.all():
            delete_as(member, actor)
        for row in new_team:
            save_as(InitiationMember(initiation=initiation, **row), actor)
    return initiation


def _initiation_move(
    initiation: ProjectInitiation,
    *,
    actor: User,
    move: str,
    note: str | SystemNote = "",
    facts: dict[str, Any] | None = None,
    check_permission: bool = True,
    **input: Any,
) -> InitiationStatusChange:
    """The one door of the initiation request's status (R-OPP-2, R-OPP-3): check ``move``
    in INITIATION_MACHINE on the locked request (permission, gates, ``input``), then set
    the move's other ``facts`` (the gates judged the request before them), write the status
    with the actor as audit author, and its InitiationStatusChange row (who, when, from,
    to, move, note). ``check_permission=False`` for the review engine's decisions."""
    checked = INITIATION_MACHINE.check(initiation, actor, move, check_permission=check_permission, **input)
    from_status = initiation.status
    for name, value in (facts or {}).items():
        setattr(initiation, name, value)
    initiation.status = checked.target
    save_as(initiation, actor)
    return InitiationStatusChange.objects.create(
        initiation=initiation,
        from_status=from_status,
        to_status=checked.target,
        move=move,
        actor=actor,
        **note_fields(note),
        revision=initiation.revision,
    )


@transaction.atomic
def initiation_submit(*, actor: User, initiation: ProjectInitiation) -> ProjectInitiation:
    """Send the request to the sales manager's review (R-OPP-2, R-REV-1): starts a review
    of kind "initiation". A rejected request goes again only once changed (R-REV-5)."""
    initiation = lock_initiation(initiation)
    INITIATION_MACHINE.check(initiation, actor, "submit")
    validate(initiation)
    _initiation_move(
        initiation,
        actor=actor,
        move="submit",
        facts={
            "submitted_by": actor,
            "submitted_at": timezone.now(),
            "reviewed_revision": initiation.revision,
        },
    )
    review_start(actor=actor, subject=initiation, kind="initiation")
    # The author sees the request waiting for its decision; overdue, their manager is told
    # (R-SLA-1, R-SLA-3). The approvers' own deadlines come with the review's tasks.
    start_initiation_timer(initiation, owner=actor, start=initiation.submitted_at)
    return initiation


@transaction.atomic
def initiation_withdraw(*, actor: User, initiation: ProjectInitiation, reason: str) -> ProjectInitiation:
    """Take the request back from review to change it (R-REV-5): the request is a draft
    again (move ``withdraw``, with the reason), and its review is cancelled with the reason
    (``initiation_on_cancelled`` then finds the draft and only calls off the wait)."""
    reason = str(reason or "").strip()
    initiation = lock_initiation(initiation)
    _initiation_move(initiation, actor=actor, move="withdraw", note=reason, reason=reason)
    review = review_cancel_for_subject(actor=actor, subject=initiation, reason=reason)
    if review is None:
        # No review in progress any more (cancelled elsewhere): nothing is awaited either.
        timer_cancel(kind=INITIATION_REVIEW, subject=initiation, reason=reason)
    return ProjectInitiation.objects.get(pk=initiation.pk)


# The review engine's callbacks below run under the locks the engine took through the
# initiation's ``lock`` hook (opportunity → initiation, then the review). They lock the
# request again, in the same order: that re-reads it and costs no wait.


def initiation_on_cancelled(*, subject: ProjectInitiation, review: Review, actor: User) -> None:
    """Review engine callback: the request's review was withdrawn (on the review's page, or
    because the opportunity closed); the request is a draft again (move ``back_to_draft``),
    to change and send anew. A request withdrawn here is a draft already."""
    initiation = lock_initiation(subject)
    if initiation.status == InitiationStatus.IN_REVIEW:
        _initiation_move(initiation, actor=actor, move="back_to_draft", note=review.outcome_note)
    # Nothing is waiting for a decision any more, and none was made: the wait is called off.
    timer_cancel(kind=INITIATION_REVIEW, subject=initiation, reason=review.outcome_note)


def initiation_on_approved(*, subject: ProjectInitiation, review: Review, actor: User) -> None:
    """Review engine callback, inside the deciding transaction (R-OPP-2): the request is
    approved, the project team is formed with named roles, and an opportunity still in
    lead intake moves on to needs analysis through the lifecycle table."""
    initiation = lock_initiation(subject)
    # The approver's authority comes from the review chain; the gates still run.
    opportunity = initiation.opportunity  # locked by lock_initiation, read after the lock
    # R-REV-5: the facts approved are recorded; when one changes, the request is reviewed again.
    _initiation_move(
        initiation,
        actor=actor,
        move="approve",
        facts={"approved_at": timezone.now(), "reviewed_facts": reviewed_facts(opportunity)},
        check_permission=False,
    )
    timer_satisfy(kind=INITIATION_REVIEW, subject=initiation, at=initiation.approved_at)
    _form_project_team(initiation, opportunity, actor)
    if opportunity.stage == Stage.LEAD_INTAKE:
        # The approver's authority comes from the review chain, not from the team; the
        # gate (initiation approved) still runs.
        _move(
            actor=actor,
            opportunity=opportunity,
            name="start_needs_analysis",
            note=system_note(notes.INITIATION_APPROVED),
            context={},
            check_permission=False,
        )


def initiation_on_rejected(*, subject: ProjectInitiation, review: Review, actor: User) -> None:
    """Review engine callback: the request returns to its author with the reviewers'
    comments (shown from the review, and as the status change's note); it may change and
    go to review again (R-REV-5)."""
    initiation = lock_initiation(subject)
    _initiation_move(
        initiation,
        actor=actor,
        move="reject",
        note=review.outcome_note,
        facts={"rejected_at": timezone.now()},
        check_permission=False,
    )
    # Decided: the wait is over (the author now owes a changed request, not a timer).
    timer_satisfy(kind=INITIATION_REVIEW, subject=initiation, at=initiation.rejected_at)


def _form_project_team(initiation: ProjectInitiation, opportunity: Opportunity, actor: User) -> None:
    """The owners with their roles, then the proposed members (R-OPP-2)."""
    rows: list[tuple[int, str, str]] = [(opportunity.sales_owner_id, ProjectRole.SALES_OWNER, "")]
    if opportunity.presales_owner_id:
        rows.append((opportunity.presales_owner_id, ProjectRole.PRESALES_OWNER, ""))
    rows += [(m.user_id, m.role, m.responsibility) for m in initiation.proposed_members.all()]
    existing = {m.user_id: m for m in ProjectMember.objects.filter(opportunity=opportunity)}
    placed: set[int] = set()
    for user_id, role, responsibility in rows:
        if user_id in placed:
            continue
        placed.add(user_id)
        member = existing.get(user_id) or ProjectMember(opportunity=opportunity, user_id=user_id)
        if member.pk and (member.role, member.responsibility) == (role, responsibility):
            continue
        member.role, member.responsibility = role, responsibility
        save_as(member, actor)
