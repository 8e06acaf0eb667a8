"""Reads of timers and notifications for pages, the API, the navigation badges."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from presales.accounts.models import User
from presales.core.roles import scope_of
from presales.sla.models import Notification, SlaPolicy, Timer
from presales.sla.models.timers import TimerQuerySet
from presales.sla.policies import PolicyValues, get_kind
from presales.sla.subjects import subject_prefetch


def timers_for(subject: Model | None, related: Model | Iterable[Model] | None = None) -> list[Timer]:
    """Every timer of one record, and of the ``related`` records shown on its page (a
    customer's communications, an opportunity's initiation request, a review's tasks), newest
    first, in one query however many there are. The page itself is guarded by the record's
    visibility; the related records must be ones that page shows."""
    records = [subject] if subject is not None else []
    if isinstance(related, Model):
        records.append(related)
    elif related is not None:
        records.extend(related)
    ids: dict[type[Model], set[int]] = defaultdict(set)
    for record in records:
        if record is not None and record.pk is not None:
            ids[type(record)].add(record.pk)
    if not ids:
        return []
    where = Q()
    for model, pks in ids.items():
        where |= Q(subject_type=ContentType.objects.get_for_model(model), subject_id__in=sorted(pks))
    return list(Timer.objects.filter(where).select_related("owner").order_by("-started_at", "-id"))


def my_open_timers(user: User) -> QuerySet[Timer]:
    return Timer.objects.open().filter(owner_id=user.pk).select_related("team", "subject_type")


# The deadline pages show the earliest this many timers (issue 9: a page's size and time must
# not follow the number of open timers; the timers API pages through all of them).
DEADLINES_SHOWN = 100


def my_deadlines(user: User, now: datetime | None = None) -> dict[str, Any]:
    """The engineer's page: overdue, due soon, later (the earliest ``DEADLINES_SHOWN`` open
    timers they own); ``more`` says whether later ones are not shown."""
    now = now or timezone.now()
    soon = now + timedelta(hours=settings.PRESALES["DUE_SOON_HOURS"])
    timers = list(
        my_open_timers(user)
        .prefetch_related(subject_prefetch())
        .order_by("due_at", "id")[: DEADLINES_SHOWN + 1]
    )
    more = len(timers) > DEADLINES_SHOWN
    timers = timers[:DEADLINES_SHOWN]
    return {
        "more": more,
        "overdue": [t for t in timers if t.due_at <= now],
        "due_soon": [t for t in timers if now < t.due_at <= soon],
        "later": [t for t in timers if t.due_at > soon],
    }


def team_overdue_timers(
    user: User, now: datetime | None = None, *, within: TimerQuerySet | None = None
) -> TimerQuerySet:
    """The overdue open timers of the teams ``user`` manages, among ``within`` (e.g. the
    timers a FilterSet keeps: the overdue-timers chart's point is one owner and kind)."""
    timers: TimerQuerySet = within if within is not None else Timer.objects.all()
    return timers.overdue(now or timezone.now()).managed_by(user)


def team_overdue(
    user: User, now: datetime | None = None, *, within: TimerQuerySet | None = None
) -> list[Timer]:
    """A manager's page: the earliest ``DEADLINES_SHOWN`` + 1 overdue open timers of the
    teams they manage (R-KPI-3); the page shows ``DEADLINES_SHOWN`` and says when there are more."""
    return list(
        team_overdue_timers(user, now, within=within)
        .select_related("owner", "team", "subject_type")
        .prefetch_related(subject_prefetch())
        .order_by("due_at", "id")[: DEADLINES_SHOWN + 1]
    )


def can_see_team_deadlines(user: User) -> bool:
    if scope_of(user) is None:
        return False
    return user.is_superuser or user.managed_teams.exists() or (user.is_manager and scope_of(user) == "all")


def my_overdue_count(user: User | AnonymousUser) -> int:
    """The "Deadlines" badge: one indexed count (timer_owner_open)."""
    if not user.is_authenticated:
        return 0
    return Timer.objects.overdue().filter(owner_id=user.pk).count()


def estimated_timer_years() -> list[tuple[int, int]]:
    """(year, open timers) for each year not known yet that open timers' due times were
    estimated for (weekends only), for the admins' calendar page."""
    counts: dict[int, int] = defaultdict(int)
    rows = Timer.objects.open().filter(context__has_key="due_estimated").values_list("context", flat=True)
    for context in rows:
        for year in context.get("due_estimated") or []:
            counts[year] += 1
    return sorted(counts.items())


def unread_count(user: User | AnonymousUser) -> int:
    """The bell's number: one count on the partial index notification_unread."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.for_user(user).unread().count()


def recent_notifications(user: User, limit: int = 8) -> list[Notification]:
    return list(Notification.objects.for_user(user).order_by("-created_at", "-id")[:limit])


def deadlines_panel(user: User) -> dict[str, Any] | None:
    """The dashboard card: my overdue and due-soon counts (two indexed counts)."""
    if scope_of(user) is None:
        return None
    now = timezone.now()
    mine = Timer.objects.filter(owner_id=user.pk)
    return {
        "key": "deadlines",
        "title": _("My deadlines"),
        "icon": "alarm",
        "template": "presales/partials/deadlines_panel.html",
        "overdue": mine.overdue(now).count(),
        "due_soon": mine.due_soon(now).count(),
    }


def policy_values(policy: SlaPolicy) -> PolicyValues:
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
    kind = get_kind(code)
    row = SlaPolicy.objects.filter(kind=code).first()
    return policy_values(row) if row is not None else kind.default
