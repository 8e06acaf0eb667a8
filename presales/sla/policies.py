"""Timer kinds, their default policies, and the schedule a policy gives a timer (R-SLA-1, R-SLA-4).

A feature that owns a deadline registers its kind once (``register_timer_kind`` from its
``AppConfig.ready()``, or in presales/sla/defaults.py for the kinds of PROCESS.md), then
calls ``timer_start`` / ``timer_satisfy`` / ``timer_cancel`` from its own services.

The policy in force for a kind is its ``SlaPolicy`` row (an admin edits it); without a row
the registered default applies. A timer keeps a snapshot (``Timer.policy``) and is swept by
that snapshot only, so a policy edit changes new timers only (R-SLA-4).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _

from presales.core.errors import DomainError
from presales.sla.models.timers import EscalationTarget, LimitUnit


@dataclass(frozen=True)
class PolicyValues:
    """What a policy says; also the shape of the snapshot stored on each timer."""

    limit_value: int | None
    limit_unit: str
    reminder_hours: tuple[int, ...] = ()
    escalate_to: str = EscalationTarget.OWNER_MANAGER
    escalate_role: str = ""
    escalate_after_hours: int = 0
    repeat_every_hours: int | None = None
    max_escalations: int = 1
    version: int = 0  # 0 = the registered default (no policy row yet)

    def as_snapshot(self) -> dict:
        data = asdict(self)
        data["reminder_hours"] = list(self.reminder_hours)
        data["limit_unit"] = str(self.limit_unit)
        data["escalate_to"] = str(self.escalate_to)
        data["escalate_role"] = str(self.escalate_role)
        return data

    @classmethod
    def from_snapshot(cls, data: dict) -> PolicyValues:
        return cls(**{**data, "reminder_hours": tuple(data.get("reminder_hours") or ())})


@dataclass(frozen=True)
class TimerKind:
    """A registered kind of timer: stable code, label, rule, default policy."""

    kind: str
    label: Any
    rule: str
    default: PolicyValues
    description: Any = ""
    extra: dict = field(default_factory=dict)

    @property
    def fixed_due(self) -> bool:
        """The event gives the due time (a promised date, a tender deadline)."""
        return self.default.limit_unit == LimitUnit.FIXED


_KINDS: dict[str, TimerKind] = {}


def register_timer_kind(kind: TimerKind) -> TimerKind:
    _KINDS[kind.kind] = kind
    return kind


def timer_kinds() -> list[TimerKind]:
    return sorted(_KINDS.values(), key=lambda k: k.kind)


def get_kind(code: str) -> TimerKind:
    try:
        return _KINDS[code]
    except KeyError:
        raise DomainError(fields={"kind": [_("Unknown timer kind.")]}, code="unknown_timer_kind") from None


def kind_label(code: str):
    kind = _KINDS.get(code)
    return kind.label if kind else code


def policy_values(policy) -> PolicyValues:
    """The values of an ``SlaPolicy`` row."""
    return PolicyValues(
        limit_value=policy.limit_value,
        limit_unit=policy.limit_unit,
        reminder_hours=tuple(sorted({int(h) for h in policy.reminder_hours or []}, reverse=True)),
        escalate_to=policy.escalate_to,
        escalate_role=policy.escalate_role,
        escalate_after_hours=policy.escalate_after_hours,
        repeat_every_hours=policy.repeat_every_hours,
        max_escalations=policy.max_escalations,
        version=policy.version,
    )


def active_policy(code: str) -> PolicyValues:
    """The policy in force now for ``code``: the admin's row, else the registered default."""
    from presales.sla.models import SlaPolicy

    kind = get_kind(code)
    row = SlaPolicy.objects.filter(kind=code).first()
    return policy_values(row) if row is not None else kind.default


def ensure_default_policies(**kwargs) -> None:
    """Create the policy row of every registered kind that has none (idempotent; never
    overwrites an admin's edit). Runs after migrate, like the role groups."""
    from presales.sla.models import SlaPolicy

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


def compute_due(values: PolicyValues, start: datetime, calendar=None) -> datetime:
    """The due time of a relative limit started at ``start`` (hours: calendar time; working
    days: the company calendar, R-SLA-2, estimated for a year not known yet)."""
    return compute_due_estimate(values, start, calendar)[0]


def compute_due_estimate(values: PolicyValues, start: datetime, calendar=None) -> tuple[datetime, list[int]]:
    """``compute_due`` and the years whose working days were estimated to find it (empty:
    the due time is exact)."""
    from presales.sla.calendar import WorkCalendar, add_hours

    if values.limit_unit == LimitUnit.HOURS:
        return add_hours(start, values.limit_value), []
    if values.limit_unit == LimitUnit.WORKING_DAYS:
        return (calendar or WorkCalendar()).due(start, values.limit_value)
    raise DomainError(fields={"due_at": [_("This kind of timer needs its due time.")]})


@dataclass(frozen=True)
class Step:
    """One planned action of a timer: the n-th reminder or the n-th escalation."""

    at: datetime
    action: str  # "remind" | "escalate"
    n: int


def reminder_steps(values: PolicyValues, due_at: datetime) -> list[Step]:
    """Reminders in time order (largest offset first): n = 1, 2, ..."""
    offsets = sorted({int(h) for h in values.reminder_hours if int(h) > 0}, reverse=True)
    return [Step(due_at - timedelta(hours=h), "remind", n) for n, h in enumerate(offsets, start=1)]


def escalation_steps(values: PolicyValues, due_at: datetime) -> list[Step]:
    if values.escalate_to == EscalationTarget.NONE:
        return []
    first = due_at + timedelta(hours=values.escalate_after_hours)
    if not values.repeat_every_hours:
        return [Step(first, "escalate", 1)]
    return [
        Step(first + timedelta(hours=values.repeat_every_hours * i), "escalate", i + 1)
        for i in range(values.max_escalations)
    ]


@dataclass(frozen=True)
class Plan:
    """What the sweep does to a timer at ``now``: at most one reminder and one escalation
    (the latest that has come: a sweep that ran late does not send a burst of stale ones),
    the counters after it, and the next time anything is left to do."""

    remind: int | None
    escalate: int | None
    reminders_done: int
    escalations_done: int
    next_action_at: datetime | None


def next_action_at(
    values: PolicyValues, due_at: datetime, *, reminders_done: int, escalations_done: int
) -> datetime | None:
    """The time of the first reminder or escalation not done yet (None: nothing is left)."""
    upcoming = [s.at for s in reminder_steps(values, due_at) if s.n > reminders_done] + [
        s.at for s in escalation_steps(values, due_at) if s.n > escalations_done
    ]
    return min(upcoming) if upcoming else None


def plan(values: PolicyValues, *, due_at: datetime, reminders_done: int, escalations_done: int, now) -> Plan:
    reminders = reminder_steps(values, due_at)
    escalations = escalation_steps(values, due_at)
    came = [s for s in reminders if s.n > reminders_done and s.at <= now]
    remind = None
    if came:
        reminders_done = max(s.n for s in came)
        # A reminder says "due soon": once it is due, the escalation speaks instead.
        if now < due_at:
            remind = reminders_done
    came = [s for s in escalations if s.n > escalations_done and s.at <= now]
    escalate = None
    if came:
        escalations_done = escalate = max(s.n for s in came)
    later = [s.at for s in reminders if s.n > reminders_done] + [
        s.at for s in escalations if s.n > escalations_done
    ]
    return Plan(remind, escalate, reminders_done, escalations_done, min(later) if later else None)
