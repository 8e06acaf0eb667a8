"""Write use cases of SLA timers, policies and the company calendar (R-SLA-1..4).

The timer services are called by the services that own the events (lead intake, first
contact, review steps, contract signing...), after those have checked the actor's
permission: they take no actor and never refuse for permission. They are idempotent where
a retry is likely: starting a timer that is already open returns it; satisfying or
cancelling a timer that is not open does nothing.

Policy, calendar and webhook services are the admin's: they check the role inside.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Model, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from presales.accounts.models import Team, User
from presales.core.errors import Conflict, DomainError, NotAllowed
from presales.core.roles import Role
from presales.core.writes import check_version, save_as, validate
from presales.sla.calendar import WorkCalendar, company_tz, compute_due_estimate, library_years
from presales.sla.choices import EscalationTarget, LimitUnit
from presales.sla.models import (
    CalendarDay,
    CalendarYear,
    Notification,
    SlaPolicy,
    TeamWebhook,
    Timer,
    TimerState,
)
from presales.sla.notifications import CALENDAR_UNKNOWN, Message, notification_kinds, notify_many
from presales.sla.policies import (
    PolicyValues,
    get_kind,
    kind_label,
    next_action_at,
    reminder_steps,
    timer_kinds,
)
from presales.sla.selectors import active_policy

# --- timers --------------------------------------------------------------------------------


def _subject_key(subject: Model | None) -> tuple[ContentType, int]:
    if subject is None or subject.pk is None:
        raise DomainError(fields={"subject": [_("A timer needs a saved record.")]})
    return ContentType.objects.get_for_model(subject), subject.pk


def _team_of(subject: Model, owner: User) -> Team | None:
    team = getattr(subject, "team", None)
    return team if isinstance(team, Team) else owner.team


@transaction.atomic
def timer_start(
    *,
    kind: str,
    subject: Model,
    owner: User,
    start: datetime | None = None,
    context: dict[str, Any] | None = None,
    due_at: datetime | None = None,
    team: Team | None = None,
) -> Timer:
    """Start the ``kind`` timer on ``subject`` for ``owner`` (R-SLA-1).

    The due time comes from the policy in force now (hours or working days from ``start``),
    or is ``due_at`` for kinds whose event gives the date (a promised follow-up, a tender
    deadline). The due time and the policy are stored on the row (R-SLA-4). The team is
    ``team``, else the subject's team, else the owner's (it decides who escalations reach
    and which manager sees the timer). If an open timer of this kind is already on the
    subject it is returned unchanged.

    A working-day limit reaching a year the calendar does not know is never refused: that
    year counts weekends only, the timer says so (``context["due_estimated"]``, the years),
    each administrator is told once about this timer, and the due time is recomputed when
    the year is entered (:func:`timers_recompute_estimated`, R-SLA-2).
    """
    spec = get_kind(kind)
    subject_type, subject_id = _subject_key(subject)
    existing = (
        Timer.objects.select_for_update()
        .filter(subject_type=subject_type, subject_id=subject_id, kind=kind, state=TimerState.OPEN)
        .first()
    )
    if existing is not None:
        return existing
    start = start or timezone.now()
    values = active_policy(kind)
    if spec.fixed_due:
        if due_at is None:
            raise DomainError(fields={"due_at": [_("This kind of timer needs its due time.")]})
    else:
        if due_at is not None:
            raise DomainError(
                fields={"due_at": [_("This kind of timer computes its due time from its policy.")]}
            )
        due_at, estimated = compute_due_estimate(values, start)
        if estimated:
            context = {**(context or {}), "due_estimated": estimated}
    # Reminders whose time was already past at the start are not sent late.
    reminders_done = sum(1 for step in reminder_steps(values, due_at) if step.at <= start)
    timer = Timer(
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        owner=owner,
        team=team if team is not None else _team_of(subject, owner),
        started_at=start,
        due_at=due_at,
        policy=values.as_snapshot(),
        policy_version=values.version,
        context=context or {},
        reminders_sent=reminders_done,
        next_action_at=next_action_at(values, due_at, reminders_done=reminders_done, escalations_done=0),
    )
    try:
        with transaction.atomic():
            timer.save()
    except IntegrityError:
        # Another transaction started the same timer between our check and insert.
        return Timer.objects.get(
            subject_type=subject_type, subject_id=subject_id, kind=kind, state=TimerState.OPEN
        )
    if timer.due_estimated:
        _tell_admins_timer_estimated(timer)
    return timer


def _admins() -> QuerySet[User]:

    return User.objects.filter(Q(is_superuser=True) | Q(groups__name=Role.ADMIN), is_active=True).distinct()


def _tell_admins_timer_estimated(timer: Timer) -> None:
    """Each active administrator is told once about each estimated timer (until the year is
    entered no new timer is estimated for it): ``calendar:{year}:timer:{id}:{admin}``."""

    years = timer.estimated_years
    label = ", ".join(str(y) for y in years)
    messages = []
    for admin in _admins():
        with translation.override(admin.language or settings.LANGUAGE_CODE):
            params = {
                "kind": str(kind_label(timer.kind)),
                "due": timezone.localtime(timer.due_at).strftime("%Y-%m-%d %H:%M"),
                "year": label,
            }
            messages.append(
                Message(
                    recipient=admin,
                    kind=CALENDAR_UNKNOWN,
                    key=f"calendar:{years[0]}:timer:{timer.pk}:{admin.pk}",
                    title=_("Estimated deadline (%(year)s calendar missing): %(kind)s") % params,
                    body=_(
                        "A deadline (%(kind)s, due %(due)s) counts working days in %(year)s, whose "
                        "public holidays and make-up working days are not entered yet: weekends are "
                        "skipped, holidays are not. Enter that year's official schedule and declare "
                        "the year on the work calendar page; open deadlines are then recomputed."
                    )
                    % params,
                    url=reverse("sla:calendar"),
                    timer=timer,
                )
            )
    # One call: every admin gets their bell, a team robot posts the event once (issue 8).
    notify_many(messages)


def _tell_admins_year_unknown(year: int) -> int:
    """Each active administrator is told once per year that ``year``'s working-day calendar
    must be entered (``calendar:{year}:unknown:{admin}``). Returns how many were told now."""

    messages = []
    for admin in _admins():
        key = f"calendar:{year}:unknown:{admin.pk}"
        if Notification.objects.filter(key=key).exists():
            continue
        with translation.override(admin.language or settings.LANGUAGE_CODE):
            messages.append(
                Message(
                    recipient=admin,
                    kind=CALENDAR_UNKNOWN,
                    key=key,
                    title=_("Enter the %(year)s working-day calendar") % {"year": year},
                    body=_(
                        "The holiday calendar does not know %(year)s yet. Until an administrator "
                        "enters that year's public holidays and make-up working days from the State "
                        "Council notice and declares the year, deadlines counted in working days that "
                        "reach %(year)s are estimated (weekends off, public holidays not known)."
                    )
                    % {"year": year},
                    url=reverse("sla:calendar"),
                    event=f"calendar:{year}:unknown",
                )
            )
    # One call: every admin gets their bell, a team robot posts the event once (issue 8).
    notify_many(messages)
    return len(messages)


# Kinds whose due time is copied onto their record (e.g. a lead's first-contact due time):
# the owning app says how to update the copy when a recomputation moves the due time.
_DUE_LISTENERS: dict[str, list[Callable[[Timer], None]]] = {}


def register_due_changed(kind: str, listener: Callable[[Timer], None]) -> None:
    """Call ``listener(timer)`` inside the recomputing transaction when the due time of an
    open ``kind`` timer is recomputed (from the owning app's ``ready()``)."""
    _DUE_LISTENERS.setdefault(kind, []).append(listener)


@transaction.atomic
def timers_recompute_estimated(*, now: datetime | None = None) -> int:
    """Recompute the due time and schedule of every open timer whose due time was estimated
    for a year that is known now (entered by an admin, or shipped by the holiday library),
    under the timers' row locks (taken in id order). Reminders and escalations already sent
    stay sent (their counters are kept: R-SLA-3), also when their recomputed time is past;
    one not sent yet whose new time is past is sent by the next sweep. Returns how many
    timers were recomputed."""
    calendar = WorkCalendar()
    candidates = (
        Timer.objects.filter(state=TimerState.OPEN, context__has_key="due_estimated")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    recomputed = 0
    for timer in candidates:
        if not any(calendar.knows(year) for year in timer.estimated_years):
            continue
        values = PolicyValues.from_snapshot(timer.policy)
        due_at, estimated = compute_due_estimate(values, timer.started_at, calendar)
        context = {k: v for k, v in timer.context.items() if k != "due_estimated"}
        if estimated:
            context["due_estimated"] = estimated
        context["due_recomputed"] = {
            "from": timezone.localtime(timer.due_at).isoformat(),
            "at": (now or timezone.now()).isoformat(),
        }
        timer.due_at = due_at
        timer.context = context
        timer.next_action_at = next_action_at(
            values, due_at, reminders_done=timer.reminders_sent, escalations_done=timer.escalations_sent
        )
        timer.save(update_fields=["due_at", "context", "next_action_at"])
        for listener in _DUE_LISTENERS.get(timer.kind, ()):
            listener(timer)
        recomputed += 1
    return recomputed


def calendar_check(*, now: datetime | None = None) -> dict[str, Any]:
    """The daily calendar check (beat): from 1 November, if next year's working-day
    calendar is not known, tell the administrators once (per year); the current year too,
    if it is still not known. Then recompute the estimated timers whose year became known
    meanwhile (a library upgrade, or a timer started while its year was being declared)."""
    now = now or timezone.now()
    today = timezone.localtime(now, company_tz()).date()
    years = [today.year] + ([today.year + 1] if today >= date(today.year, 11, 1) else [])
    calendar = WorkCalendar(overrides={})
    unknown = [year for year in years if not calendar.knows(year)]
    told = sum(_tell_admins_year_unknown(year) for year in unknown)
    return {"unknown": unknown, "told": told, "recomputed": timers_recompute_estimated(now=now)}


def _open_timer(kind: str, subject: Model) -> Timer | None:
    subject_type, subject_id = _subject_key(subject)
    return (
        Timer.objects.select_for_update()
        .filter(subject_type=subject_type, subject_id=subject_id, kind=kind, state=TimerState.OPEN)
        .first()
    )


@transaction.atomic
def timer_satisfy(*, kind: str, subject: Model, at: datetime | None = None) -> Timer | None:
    """The obligation was met at ``at``: the timer closes and sends nothing more. A late
    satisfaction is kept as such (satisfied_at > due_at). No open timer: nothing happens."""
    timer = _open_timer(kind, subject)
    if timer is None:
        return None
    timer.state = TimerState.SATISFIED
    timer.satisfied_at = at or timezone.now()
    timer.next_action_at = None
    timer.save(update_fields=["state", "satisfied_at", "next_action_at"])
    return timer


@transaction.atomic
def timers_satisfy(*, kind: str, subjects: QuerySet[Any], at: datetime | None = None) -> int:
    """Satisfy the open ``kind`` timers of every record in ``subjects`` (a queryset of one
    model), e.g. the follow-ups promised on a customer's earlier interactions. Returns how
    many closed."""
    subject_type = ContentType.objects.get_for_model(subjects.model)
    timers = list(
        Timer.objects.select_for_update()
        .filter(kind=kind, state=TimerState.OPEN, subject_type=subject_type)
        .filter(subject_id__in=subjects.values("pk"))
    )
    for timer in timers:
        timer.state = TimerState.SATISFIED
        timer.satisfied_at = at or timezone.now()
        timer.next_action_at = None
    Timer.objects.bulk_update(timers, ["state", "satisfied_at", "next_action_at"])
    return len(timers)


@transaction.atomic
def timer_cancel(*, kind: str, subject: Model, reason: str = "", at: datetime | None = None) -> Timer | None:
    """The obligation no longer exists (lead disqualified or merged, deal lost...): the
    timer closes and sends nothing more. No open timer: nothing happens."""
    timer = _open_timer(kind, subject)
    if timer is None:
        return None
    timer.state = TimerState.CANCELLED
    timer.cancelled_at = at or timezone.now()
    timer.cancel_reason = reason[:200]
    timer.next_action_at = None
    timer.save(update_fields=["state", "cancelled_at", "cancel_reason", "next_action_at"])
    return timer


@transaction.atomic
def timer_reassign(*, kind: str, subject: Model, owner: User, team: Team | None = None) -> Timer | None:
    """The record changed hands: the open timer follows its new owner (and team); its due
    time and schedule stay. No open timer: nothing happens."""
    timer = _open_timer(kind, subject)
    if timer is None:
        return None
    timer.owner = owner
    timer.team = team if team is not None else _team_of(subject, owner)
    timer.save(update_fields=["owner", "team"])
    return timer


@transaction.atomic
def timer_restart(
    *,
    kind: str,
    subject: Model,
    owner: User,
    start: datetime | None = None,
    due_at: datetime | None = None,
    context: dict[str, Any] | None = None,
    reason: str = "",
) -> Timer:
    """The event moved (a corrected receipt time, a new promised date): cancel the open
    timer and start a new one, which takes the policy in force now."""
    timer_cancel(kind=kind, subject=subject, reason=reason or _("Rescheduled"), at=timezone.now())
    return timer_start(kind=kind, subject=subject, owner=owner, start=start, due_at=due_at, context=context)


# --- policies (admins) ---------------------------------------------------------------------

# What an admin may change on a policy, in display order: the one declaration the web form
# (presales/sla/forms.py) and the API serializer (presales/sla/api.py) derive theirs from.
POLICY_FIELDS = (
    "limit_value",
    "limit_unit",
    "reminder_hours",
    "escalate_to",
    "escalate_role",
    "escalate_after_hours",
    "repeat_every_hours",
    "max_escalations",
)


def _require_admin(actor: User) -> None:
    if not (actor.is_superuser or actor.has_role(Role.ADMIN)):
        raise NotAllowed(_("Only an administrator can change this."))


def _clean_reminders(value: Any) -> list[int]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [v for v in value.replace("，", ",").split(",") if v.strip()]
    try:
        hours = sorted({int(str(v).strip()) for v in value}, reverse=True)
    except (TypeError, ValueError):
        raise DomainError(
            fields={"reminder_hours": [_("Give whole numbers of hours, separated by commas.")]}
        ) from None
    if any(h <= 0 for h in hours):
        raise DomainError(fields={"reminder_hours": [_("Reminder offsets must be positive.")]})
    if len(hours) > 10:
        raise DomainError(fields={"reminder_hours": [_("At most ten reminders.")]})
    return hours


@transaction.atomic
def sla_policy_update(
    *, actor: User, kind: str, data: dict[str, Any], expected_version: int | None = None
) -> SlaPolicy:
    """An admin changes a kind's policy (R-SLA-4): only timers started afterwards use it;
    the version goes up and the change is in the policy's history. The version is also the
    one an edit sends (``expected_version``): an edit built on an older policy is refused."""
    _require_admin(actor)
    spec = get_kind(kind)
    unknown = set(data).difference(POLICY_FIELDS)
    if unknown:
        raise DomainError(fields={name: [_("This field cannot be set here.")] for name in sorted(unknown)})
    policy = SlaPolicy.objects.select_for_update().filter(kind=kind).first()
    if policy is None:
        d = spec.default
        policy = SlaPolicy(
            kind=kind,
            limit_value=d.limit_value,
            limit_unit=d.limit_unit,
            reminder_hours=list(d.reminder_hours),
            escalate_to=d.escalate_to,
            escalate_role=d.escalate_role,
            escalate_after_hours=d.escalate_after_hours,
            repeat_every_hours=d.repeat_every_hours,
            max_escalations=d.max_escalations,
            version=0,
        )
    else:
        check_version(policy, expected_version)
    data = dict(data)
    if "reminder_hours" in data:
        data["reminder_hours"] = _clean_reminders(data["reminder_hours"])
    for name, value in data.items():
        setattr(policy, name, value)
    if spec.fixed_due and policy.limit_unit != LimitUnit.FIXED:
        raise DomainError(fields={"limit_unit": [_("The event gives the due date of this kind.")]})
    if not spec.fixed_due and policy.limit_unit == LimitUnit.FIXED:
        raise DomainError(fields={"limit_unit": [_("Choose hours or working days for this kind.")]})
    if policy.escalate_to != EscalationTarget.ROLE:
        policy.escalate_role = ""
    policy.version += 1
    validate(policy)
    save_as(policy, actor)
    return policy


# --- company calendar (admins) ---------------------------------------------------------------


@transaction.atomic
def calendar_day_set(*, actor: User, day: date, kind: str, name: str = "") -> CalendarDay:
    """An admin marks a company day off or extra working day (R-SLA-2). Applies to timers
    started afterwards; running timers keep their due time."""
    _require_admin(actor)
    entry = CalendarDay.objects.select_for_update().filter(date=day).first() or CalendarDay(
        date=day, created_by=actor
    )
    entry.kind = kind
    entry.name = name
    validate(entry)
    entry.save()
    return entry


@transaction.atomic
def calendar_day_delete(*, actor: User, day: date) -> None:
    _require_admin(actor)
    CalendarDay.objects.filter(date=day).delete()


@transaction.atomic
def calendar_year_declare(*, actor: User, year: int, note: str = "") -> CalendarYear:
    """An admin declares that a year the holiday library does not know has its public
    holidays and make-up workdays entered as calendar days (R-SLA-2). The open timers whose
    due time was estimated for that year are recomputed in the same transaction."""
    _require_admin(actor)
    if year in library_years():
        raise Conflict(_("The holiday library already knows %(year)s.") % {"year": year})
    if not CalendarDay.objects.filter(date__year=year).exists():
        raise DomainError(fields={"year": [_("Enter the year's public holidays as calendar days first.")]})
    entry, _created = CalendarYear.objects.get_or_create(
        year=year, defaults={"note": note, "declared_by": actor}
    )
    entry.recomputed = timers_recompute_estimated()
    return entry


# --- team chat robots (admins) -------------------------------------------------------------


@transaction.atomic
def team_webhook_set(*, actor: User, team: Team, data: dict[str, Any]) -> TeamWebhook:
    """An admin sets a team's chat robot URL, format and the notification kinds it posts."""

    _require_admin(actor)
    hook = TeamWebhook.objects.select_for_update().filter(team=team).first() or TeamWebhook(team=team)
    allowed = {"flavor", "url", "kinds", "enabled"}
    unknown = set(data) - allowed
    if unknown:
        raise DomainError(fields={name: [_("This field cannot be set here.")] for name in sorted(unknown)})
    for name, value in data.items():
        setattr(hook, name, value)
    known = {k.kind for k in notification_kinds()}
    if not set(hook.kinds or []) <= known:
        raise DomainError(fields={"kinds": [_("Unknown notification kind.")]})
    validate(hook)
    hook.save()
    return hook


def ensure_default_policies(**kwargs: Any) -> None:
    """Create the policy row of every registered kind that has none (idempotent; never
    overwrites an admin's edit). Runs after migrate, like the role groups."""
    existing = set(SlaPolicy.objects.values_list("kind", flat=True))
    SlaPolicy.objects.bulk_create(
        [
            SlaPolicy(
                kind=k.kind,
                limit_value=k.default.limit_value,
                limit_unit=k.default.limit_unit,
                reminder_hours=list(k.default.reminder_hours),
                escalate_to=k.default.escalate_to,
                escalate_role=k.default.escalate_role,
                escalate_after_hours=k.default.escalate_after_hours,
                repeat_every_hours=k.default.repeat_every_hours,
                max_escalations=k.default.max_escalations,
            )
            for k in timer_kinds()
            if k.kind not in existing
        ],
        ignore_conflicts=True,
    )
