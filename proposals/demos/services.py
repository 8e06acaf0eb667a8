"""Write use cases of demos and trial requests (R-DEMO-1..3, R-SOL-5).

Every service is keyword-only and atomic, takes the locks of proposals/demos/locks.py
(opportunity → demo or trial), checks permission and gates inside, writes, records the
history row and schedules follow-ups (notifications: rows now, deliveries after commit;
timers in the same transaction). Views, the API, the admin and the review engine's callbacks
all call these; nothing else writes a demo's or a trial's status.

One door per status: a demo's status is written only by :func:`_demo_write_move` (checked
against ``DEMO_MACHINE``, with its ``DemoStatusChange`` row), a trial's only by
:func:`_trial_write_move` (``TRIAL_MACHINE``, ``TrialStatusChange``).

R-SOL-5 on every route: :func:`demo_create`, :func:`demo_update` and the ``schedule`` and
``start`` moves refuse a solution version whose review is not approved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.models import Contact
from opportunities.choices import OPEN_STAGES
from opportunities.models import Opportunity
from opportunities.permissions import require_work
from presales.accounts.models import User
from presales.core.errors import DomainError, NotAllowed
from presales.core.writes import apply_fields, check_version, save_as, validate
from presales.sla.defaults import DEMO_FEEDBACK
from presales.sla.services import timer_cancel, timer_satisfy, timer_start
from proposals.demos import notifications
from proposals.demos.choices import (
    EDITABLE_DEMO_STATUSES,
    EDITABLE_TRIAL_STATUSES,
    FIXED_CHECKLIST,
    ChecklistKind,
    DemoStatus,
    TrialStatus,
)
from proposals.demos.locks import lock_demo, lock_trial
from proposals.demos.timers import TRIAL_RETURN
from proposals.demos.transitions import DEMO_MACHINE, TRIAL_MACHINE, version_approved_reasons
from proposals.models import (
    Demo,
    DemoAgendaItem,
    DemoChecklistItem,
    DemoStatusChange,
    Requirement,
    SolutionVersion,
    TrialRequest,
    TrialStatusChange,
)

# What a caller may write on a demo / a trial request: the one declaration the form, the API
# serializer and the admin derive their field lists from.
DEMO_FIELDS = ("solution_version", "title", "starts_at", "duration_minutes", "location", "online_link")
# A change to one of these on a scheduled demo sends a new invitation (RFC 5545 SEQUENCE + 1).
INVITATION_FIELDS = ("starts_at", "duration_minutes", "location", "online_link", "title")
FEEDBACK_FIELDS = ("outcome", "outcome_note", "questions", "objections", "next_step", "next_step_date")
TRIAL_FIELDS = ("kind", "items", "purpose", "period_start", "period_end", "return_date")
TRIAL_REVIEW_KIND = "trial"

AgendaInput = Sequence[Mapping[str, Any]]


# --- helpers ------------------------------------------------------------------------------


def _check_version(opportunity: Opportunity, version: SolutionVersion | None) -> None:
    """The version belongs to the opportunity and its review is approved (R-SOL-5)."""
    if version is None:
        raise DomainError(fields={"solution_version": [_("Choose the solution version the demo shows.")]})
    fresh = SolutionVersion.objects.select_related("solution").get(pk=version.pk)
    if fresh.solution.opportunity_id != opportunity.pk:
        raise DomainError(fields={"solution_version": [_("This version belongs to another opportunity.")]})
    reasons = version_approved_reasons(fresh)
    if reasons:
        raise DomainError(reasons[0], code="version_not_approved", fields={"solution_version": reasons})


def _check_open(opportunity: Opportunity) -> None:
    if opportunity.stage not in OPEN_STAGES:
        raise DomainError(_("The opportunity is closed."), code="closed")


def _check_people(
    opportunity: Opportunity, users: Iterable[User] | None, contacts: Iterable[Contact] | None
) -> None:
    errors: dict[str, list[str]] = {}
    if users is not None and any(not u.is_active for u in users):
        errors["our_attendees"] = [_("An inactive user cannot attend.")]
    if contacts is not None and any(c.customer_id != opportunity.customer_id for c in contacts):
        errors["customer_attendees"] = [_("Choose contacts of this opportunity's customer.")]
    if errors:
        raise DomainError(fields=errors)


def _set_agenda(demo: Demo, agenda: AgendaInput) -> None:
    """Replace the agenda with ``agenda``: items ``{"text", "requirements": [...]}`` whose
    requirements are the opportunity's own (R-DEMO-1: linked to what they show)."""
    for item in agenda:
        text = str(item.get("text") or "").strip()
        if not text:
            raise DomainError(fields={"agenda": [_("An agenda item needs its text.")]})
        if len(text) > 500:
            raise DomainError(fields={"agenda": [_("An agenda item is at most 500 characters.")]})
        for requirement in item.get("requirements") or ():
            if requirement.opportunity_id != demo.opportunity_id:
                raise DomainError(
                    fields={
                        "agenda": [
                            _("Link requirements of this opportunity only (%(code)s is not).")
                            % {"code": requirement.code}
                        ]
                    }
                )
    demo.agenda.all().delete()
    for position, item in enumerate(agenda):
        row = DemoAgendaItem.objects.create(demo=demo, position=position, text=str(item["text"]).strip())
        requirements: list[Requirement] = list(item.get("requirements") or ())
        if requirements:
            row.requirements.set(requirements)


def _demo_write_move(demo: Demo, move: str, *, actor: User, note: str = "") -> str:
    """The one door of a demo's status: the move's target, written with its history row."""
    spec = DEMO_MACHINE.get(move)
    old = demo.status
    demo.status = spec.target
    DemoStatusChange.objects.create(
        demo=demo, move=move, actor=actor, note=note, from_status=old, to_status=spec.target
    )
    return old


def _trial_write_move(trial: TrialRequest, move: str, *, actor: User, note: str = "") -> None:
    spec = TRIAL_MACHINE.get(move)
    old = trial.status
    trial.status = spec.target
    TrialStatusChange.objects.create(
        trial=trial, move=move, actor=actor, note=note, from_status=old, to_status=spec.target
    )


# --- demos --------------------------------------------------------------------------------


@transaction.atomic
def demo_create(
    *,
    actor: User,
    opportunity: Opportunity,
    data: Mapping[str, Any],
    our_attendees: Sequence[User] | None = None,
    customer_attendees: Sequence[Contact] | None = None,
    agenda: AgendaInput | None = None,
) -> Demo:
    """Draft a demo of an approved version (R-DEMO-1, R-SOL-5) with the four fixed lines of
    its environment checklist. Scheduling (invitations) is the ``schedule`` move."""
    from opportunities.locks import lock_opportunity

    opportunity = lock_opportunity(opportunity.pk)
    require_work(actor, opportunity)
    _check_open(opportunity)
    demo = Demo(opportunity=opportunity, created_by=actor)
    apply_fields(demo, data, DEMO_FIELDS)
    _check_version(opportunity, demo.solution_version if demo.solution_version_id else None)
    _check_people(opportunity, our_attendees, customer_attendees)
    validate(demo)
    save_as(demo, actor)
    DemoChecklistItem.objects.bulk_create(DemoChecklistItem(demo=demo, kind=kind) for kind in FIXED_CHECKLIST)
    if our_attendees:
        demo.our_attendees.set(our_attendees)
    if customer_attendees:
        demo.customer_attendees.set(customer_attendees)
    if agenda:
        _set_agenda(demo, agenda)
    return demo


@transaction.atomic
def demo_update(
    *,
    actor: User,
    demo: Demo,
    data: Mapping[str, Any],
    our_attendees: Sequence[User] | None = None,
    customer_attendees: Sequence[Contact] | None = None,
    agenda: AgendaInput | None = None,
    expected_version: int | None = None,
) -> Demo:
    """Change a draft or scheduled demo. On a scheduled one, a new time, duration, place or
    title raises the invitation's SEQUENCE and tells every attendee (RFC 5545 reschedule);
    newly added attendees get their invitation."""
    demo = lock_demo(demo)
    require_work(actor, demo.opportunity)
    check_version(demo, expected_version)
    if demo.status not in EDITABLE_DEMO_STATUSES:
        raise DomainError(
            _("A demo that is %(status)s cannot be changed.") % {"status": demo.get_status_display()},
            code="not_editable",
        )
    before = {name: getattr(demo, name) for name in INVITATION_FIELDS}
    apply_fields(demo, data, DEMO_FIELDS)
    _check_version(demo.opportunity, demo.solution_version)
    _check_people(demo.opportunity, our_attendees, customer_attendees)
    validate(demo)
    changed = any(getattr(demo, name) != value for name, value in before.items())
    scheduled = demo.status == DemoStatus.SCHEDULED
    if scheduled and changed:
        if demo.starts_at <= timezone.now():
            raise DomainError(fields={"starts_at": [_("A scheduled demo moves to a time in the future.")]})
        demo.sequence += 1
    save_as(demo, actor)
    previous_people = set(demo.our_attendees.values_list("pk", flat=True))
    if our_attendees is not None:
        demo.our_attendees.set(our_attendees)
    if customer_attendees is not None:
        demo.customer_attendees.set(customer_attendees)
    if agenda is not None:
        _set_agenda(demo, agenda)
    if scheduled:
        if changed:
            notifications.notify_attendees(demo, event=notifications.RESCHEDULED, actor=actor)
        elif our_attendees is not None:
            added = [u for u in our_attendees if u.pk not in previous_people and u.is_active]
            if added:
                notifications.notify_attendees(demo, event=notifications.INVITED, actor=actor, people=added)
        if our_attendees is not None:
            kept = {u.pk for u in our_attendees}
            removed = list(User.objects.filter(pk__in=previous_people - kept, is_active=True))
            if removed:
                notifications.notify_attendees(
                    demo, event=notifications.CANCELLED, actor=actor, people=removed
                )
    return demo


@transaction.atomic
def demo_move(*, actor: User, demo: Demo, move: str, note: str = "", reason: str = "") -> Demo:
    """Make one move of the demo's table (schedule, start, finish, cancel): the one
    transition service. Gates refuse with their reasons (409); follow-ups:

    - schedule: every attendee of ours is invited (their .ics link);
    - start: the version must still be approved and the checklist complete (R-DEMO-1, R-SOL-5);
    - finish: the demo-feedback timer starts (R-DEMO-2, 24 h by default);
    - cancel (reason required): the invitation is withdrawn (SEQUENCE + 1, attendees told).
    """
    demo = lock_demo(demo)
    # The version's status as it is now, not as it was read with the demo.
    demo.solution_version.refresh_from_db(fields=["status"])
    DEMO_MACHINE.check(demo, actor, move, reason=reason)
    now = timezone.now()
    old = _demo_write_move(demo, move, actor=actor, note=(reason or note).strip())
    if move == "start":
        demo.started_at = now
    elif move == "finish":
        demo.ended_at = now
    elif move == "cancel" and old != DemoStatus.DRAFT:
        demo.sequence += 1
    save_as(demo, actor)
    if move == "schedule":
        notifications.notify_attendees(demo, event=notifications.INVITED, actor=actor)
    elif move == "finish":
        start_feedback_timer(demo, start=now)
    elif move == "cancel" and old != DemoStatus.DRAFT:
        timer_cancel(kind=DEMO_FEEDBACK, subject=demo, reason=(reason or note).strip())
        notifications.notify_attendees(demo, event=notifications.CANCELLED, actor=actor)
    return demo


FEEDBACK_SWEEP_BATCH = 200


def demo_start_overdue_feedback_timers(*, now: datetime | None = None) -> int:
    """R-DEMO-2: a demo still marked started whose planned end has passed owes its feedback
    from that end, as if marked done then. Claims such demos (without a feedback timer yet)
    in batches with ``SKIP LOCKED`` through the partial index ``demo_started_ends`` and
    starts their timer from ``ends_at``; run by the beat task every few minutes. Marking
    the demo done later keeps that timer (``timer_start`` returns the open one)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Exists, OuterRef

    from presales.sla.models import Timer

    now = now or timezone.now()
    demo_type = ContentType.objects.get_for_model(Demo)
    has_timer = Timer.objects.filter(subject_type=demo_type, subject_id=OuterRef("pk"), kind=DEMO_FEEDBACK)
    started = 0
    with transaction.atomic():
        due = list(
            Demo.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("opportunity__team", "created_by")
            .filter(status=DemoStatus.STARTED, feedback_at__isnull=True, ends_at__lte=now)
            .exclude(Exists(has_timer))
            .order_by("ends_at", "pk")[:FEEDBACK_SWEEP_BATCH]
        )
        for demo in due:
            start_feedback_timer(demo, start=demo.ends_at)
            started += 1
    return started


def start_feedback_timer(demo: Demo, *, start: datetime) -> None:
    """R-DEMO-2: the feedback is owed within the demo-feedback limit from the demo's end."""
    if demo.feedback_at is None:
        timer_start(
            kind=DEMO_FEEDBACK, subject=demo, owner=demo.created_by, start=start, team=demo.opportunity.team
        )


@transaction.atomic
def demo_record_feedback(
    *, actor: User, demo: Demo, data: Mapping[str, Any], expected_version: int | None = None
) -> Demo:
    """R-DEMO-2: outcome, the customer's questions and objections, the next step (and its
    date), on a demo that is done. The first recording satisfies the feedback timer (late is
    kept as late); later corrections keep the first time."""
    demo = lock_demo(demo)
    require_work(actor, demo.opportunity)
    check_version(demo, expected_version)
    if demo.status != DemoStatus.DONE:
        raise DomainError(_("Feedback is recorded once the demo is done."), code="not_done")
    apply_fields(demo, data, FEEDBACK_FIELDS)
    errors = {}
    if not demo.outcome:
        errors["outcome"] = [_("Say how the demo went.")]
    if not (demo.next_step or "").strip():
        errors["next_step"] = [_("Say what the next step is.")]
    if errors:
        raise DomainError(fields=errors)
    validate(demo)
    now = timezone.now()
    if demo.feedback_at is None:
        demo.feedback_at = now
        demo.feedback_by = actor
    save_as(demo, actor)
    timer_satisfy(kind=DEMO_FEEDBACK, subject=demo, at=now)
    return demo


def _checklist_demo(actor: User, demo: Demo) -> Demo:
    demo = lock_demo(demo)
    require_work(actor, demo.opportunity)
    if demo.status not in EDITABLE_DEMO_STATUSES:
        raise DomainError(
            _("The checklist of a demo that is %(status)s cannot change.")
            % {"status": demo.get_status_display()},
            code="not_editable",
        )
    return demo


@transaction.atomic
def demo_checklist_set(*, actor: User, item: DemoChecklistItem, done: bool) -> DemoChecklistItem:
    """Tick or untick one checklist line, recording who and when (R-DEMO-1)."""
    _checklist_demo(actor, item.demo)
    item = DemoChecklistItem.objects.select_for_update().get(pk=item.pk)
    if item.done != done:
        item.done = done
        item.done_by = actor if done else None
        item.done_at = timezone.now() if done else None
        item.save(update_fields=["done", "done_by", "done_at"])
    return item


@transaction.atomic
def demo_checklist_add(*, actor: User, demo: Demo, label: str) -> DemoChecklistItem:
    """An extra line of the environment checklist (beyond devices, materials, slides, manual)."""
    demo = _checklist_demo(actor, demo)
    label = (label or "").strip()
    if not label:
        raise DomainError(fields={"label": [_("Name the item.")]})
    item = DemoChecklistItem(demo=demo, kind=ChecklistKind.EXTRA, label=label)
    validate(item)
    item.save()
    return item


@transaction.atomic
def demo_checklist_remove(*, actor: User, item: DemoChecklistItem) -> None:
    """Remove an extra line; the four fixed lines stay."""
    _checklist_demo(actor, item.demo)
    if item.kind != ChecklistKind.EXTRA:
        raise DomainError(_("The fixed items of the checklist cannot be removed."), code="fixed_item")
    DemoChecklistItem.objects.filter(pk=item.pk).delete()


# --- trials, POCs and loans (R-DEMO-3) ----------------------------------------------------


def _check_trial_dates(trial: TrialRequest) -> None:
    errors = {}
    if trial.period_start and trial.period_end and trial.period_end < trial.period_start:
        errors["period_end"] = [_("The period ends on or after its start.")]
    if trial.period_start and trial.return_date and trial.return_date < trial.period_start:
        errors["return_date"] = [_("The return date is on or after the period's start.")]
    if errors:
        raise DomainError(fields=errors)


@transaction.atomic
def trial_create(*, actor: User, opportunity: Opportunity, data: Mapping[str, Any]) -> TrialRequest:
    from opportunities.locks import lock_opportunity

    opportunity = lock_opportunity(opportunity.pk)
    require_work(actor, opportunity)
    _check_open(opportunity)
    trial = TrialRequest(opportunity=opportunity, requested_by=actor)
    apply_fields(trial, data, TRIAL_FIELDS)
    _check_trial_dates(trial)
    validate(trial)
    save_as(trial, actor)
    return trial


@transaction.atomic
def trial_update(
    *, actor: User, trial: TrialRequest, data: Mapping[str, Any], expected_version: int | None = None
) -> TrialRequest:
    trial = lock_trial(trial)
    require_work(actor, trial.opportunity)
    check_version(trial, expected_version)
    if trial.status not in EDITABLE_TRIAL_STATUSES:
        raise DomainError(
            _("A request that is %(status)s cannot be changed.") % {"status": trial.get_status_display()},
            code="not_editable",
        )
    apply_fields(trial, data, TRIAL_FIELDS)
    _check_trial_dates(trial)
    validate(trial)
    save_as(trial, actor)
    return trial


@transaction.atomic
def trial_submit(*, actor: User, trial: TrialRequest) -> TrialRequest:
    """Send the request for approval at the configured level: the review engine's chain of
    kind ``trial`` (an admin configures its steps, R-DEMO-3)."""
    from reviews.services import review_start

    trial = lock_trial(trial)
    TRIAL_MACHINE.check(trial, actor, "submit")
    _trial_write_move(trial, "submit", actor=actor)
    trial.submitted_at = timezone.now()
    save_as(trial, actor)
    review_start(actor=actor, subject=trial, kind=TRIAL_REVIEW_KIND)
    return trial


@transaction.atomic
def trial_withdraw(*, actor: User, trial: TrialRequest, reason: str) -> TrialRequest:
    """Take a request back from review (its review is withdrawn; it returns to draft)."""
    from reviews.services import review_cancel_for_subject

    trial = lock_trial(trial)
    if not TRIAL_MACHINE.get("submit").permission(actor, trial):  # type: ignore[misc]
        raise NotAllowed()
    if trial.status != TrialStatus.IN_REVIEW:
        raise DomainError(_("Only a request in review can be withdrawn."), code="not_in_review")
    if not (reason or "").strip():
        raise DomainError(fields={"reason": [_("Give the reason.")]})
    review_cancel_for_subject(actor=actor, subject=trial, reason=reason.strip())
    trial.refresh_from_db()
    return trial


def return_due_at(trial: TrialRequest) -> datetime:
    """The end of the return date in the company's time zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return datetime.combine(trial.return_date, time(23, 59, 59), tzinfo=zone)


def trial_on_approved(*, subject: TrialRequest, review: Any, actor: User) -> None:
    """Review callback: approved. The return timer starts, due at the end of the return date."""
    trial = lock_trial(subject)
    TRIAL_MACHINE.check(trial, actor, "approve", check_permission=False)
    _trial_write_move(trial, "approve", actor=actor, note=getattr(review, "outcome_note", "") or "")
    trial.decided_at = timezone.now()
    save_as(trial, actor)
    timer_start(
        kind=TRIAL_RETURN,
        subject=trial,
        owner=trial.requested_by,
        due_at=return_due_at(trial),
        team=trial.opportunity.team,
    )


def trial_on_rejected(*, subject: TrialRequest, review: Any, actor: User) -> None:
    trial = lock_trial(subject)
    TRIAL_MACHINE.check(trial, actor, "reject", check_permission=False)
    _trial_write_move(trial, "reject", actor=actor, note=getattr(review, "outcome_note", "") or "")
    trial.decided_at = timezone.now()
    save_as(trial, actor)


def trial_on_cancelled(*, subject: TrialRequest, review: Any, actor: User) -> None:
    trial = lock_trial(subject)
    if trial.status != TrialStatus.IN_REVIEW:
        return
    _trial_write_move(trial, "withdraw", actor=actor, note=getattr(review, "outcome_note", "") or "")
    save_as(trial, actor)


@transaction.atomic
def trial_mark_returned(*, actor: User, trial: TrialRequest, note: str = "") -> TrialRequest:
    """R-DEMO-3: the equipment is back (or the trial ended); the return timer is met."""
    trial = lock_trial(trial)
    TRIAL_MACHINE.check(trial, actor, "mark_returned")
    _trial_write_move(trial, "mark_returned", actor=actor, note=note)
    now = timezone.now()
    trial.returned_at = now
    trial.returned_by = actor
    trial.return_note = note.strip()
    save_as(trial, actor)
    timer_satisfy(kind=TRIAL_RETURN, subject=trial, at=now)
    return trial


@transaction.atomic
def trial_cancel(*, actor: User, trial: TrialRequest, reason: str) -> TrialRequest:
    trial = lock_trial(trial)
    TRIAL_MACHINE.check(trial, actor, "cancel", reason=reason)
    _trial_write_move(trial, "cancel", actor=actor, note=reason.strip())
    save_as(trial, actor)
    timer_cancel(kind=TRIAL_RETURN, subject=trial, reason=reason)
    return trial


# --- the opportunity closes ------------------------------------------------------------------


def demos_on_opportunity_closed(*, opportunity: Opportunity, actor: User) -> None:
    """The opportunity closed (lost, abandoned): nothing of its demos and trials is awaited
    any more. Registered with ``opportunities.hooks.register_on_closed``; called by the close
    move under the opportunity's lock, after its stage changed.

    - demos not yet done (draft, scheduled, started) are cancelled with the reason "the
      opportunity was closed" (a scheduled one's attendees are told, its invitation
      withdrawn: SEQUENCE + 1); the feedback still owed on a done demo is no longer awaited
      (its timer is cancelled);
    - a trial request under review is withdrawn (its review cancelled, the engine returns it
      to draft), then drafts and rejected requests are cancelled. An approved trial keeps its
      return timer: lent equipment comes back whatever happened to the deal (R-DEMO-3).

    The closer's decision is the authority: no move's permission is checked here (the close
    must not fail because the closer may not work a demo). Locks: the opportunity (held),
    then each demo or trial (proposals/demos/locks.py), then a trial's review (the engine).
    """
    from reviews.services import review_cancel_for_subject

    reason = _("The opportunity was closed (%(stage)s).") % {"stage": opportunity.get_stage_display()}
    cancellable = DEMO_MACHINE.get("cancel").sources
    for pk in Demo.objects.filter(opportunity=opportunity).values_list("pk", flat=True).order_by("pk"):
        demo = lock_demo(pk)
        if demo.status in cancellable:
            DEMO_MACHINE.check(demo, actor, "cancel", check_permission=False, reason=reason)
            old = _demo_write_move(demo, "cancel", actor=actor, note=reason)
            if old != DemoStatus.DRAFT:
                demo.sequence += 1
            save_as(demo, actor)
            if old != DemoStatus.DRAFT:
                notifications.notify_attendees(demo, event=notifications.CANCELLED, actor=actor)
        timer_cancel(kind=DEMO_FEEDBACK, subject=demo, reason=reason)
    trials = TrialRequest.objects.filter(
        opportunity=opportunity, status__in=(TrialStatus.IN_REVIEW, *TRIAL_MACHINE.get("cancel").sources)
    )
    for trial in trials.order_by("pk"):
        trial = lock_trial(trial)
        if trial.status == TrialStatus.IN_REVIEW:
            review_cancel_for_subject(actor=actor, subject=trial, reason=reason)
            trial.refresh_from_db()
        if trial.status in TRIAL_MACHINE.get("cancel").sources:
            TRIAL_MACHINE.check(trial, actor, "cancel", check_permission=False, reason=reason)
            _trial_write_move(trial, "cancel", actor=actor, note=reason)
            save_as(trial, actor)


__all__ = [
    "DEMO_FIELDS",
    "FEEDBACK_FIELDS",
    "TRIAL_FIELDS",
    "demo_checklist_add",
    "demo_checklist_remove",
    "demo_checklist_set",
    "demo_create",
    "demo_move",
    "demo_record_feedback",
    "demo_start_overdue_feedback_timers",
    "demo_update",
    "demos_on_opportunity_closed",
    "trial_cancel",
    "trial_create",
    "trial_mark_returned",
    "trial_submit",
    "trial_update",
    "trial_withdraw",
]
