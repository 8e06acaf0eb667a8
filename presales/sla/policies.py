"""Timer kinds, their default policies, and the schedule a policy gives a timer (R-SLA-1, R-SLA-4).

A feature that owns a deadline registers its kind once (``register_timer_kind`` from its
``AppConfig.ready()``, or in presales/sla/defaults.py for the kinds of PROCESS.md), then
calls ``timer_start`` / ``timer_satisfy`` / ``timer_cancel`` from its own services.

The policy in force for a kind is its ``SlaPolicy`` row (an admin edits it; read by
``presales.sla.selectors.active_policy``); without a row the registered default applies. This
module is the registry and the arithmetic of a schedule: it imports no models. A timer keeps a snapshot (``Timer.policy``) and is swept by
that snapshot only, so a policy edit changes new timers only (R-SLA-4).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _

from presales.core.errors import DomainError
from presales.sla.choices import EscalationTarget, LimitUnit


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
