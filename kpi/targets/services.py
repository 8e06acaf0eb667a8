"""Write use cases of sales targets (R-KPI-4).

Keyword-only and atomic; a target is re-read under ``select_for_update()`` before a change;
the permission is checked inside: the general managers and admins set every target, a sales
manager those of the teams they manage and of those teams' members; nobody sets their own
(a rep only reads). The one-target-per-(period, person or team, metric) rule and "a person
or a team, not both" are database constraints, checked by ``validate`` first so that every
route (web, API, admin, direct call) gets a 400 with the field, never a 500.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kpi.models.targets import ALL_TARGET_ROLES, SalesTarget, TargetMetric
from kpi.periods import Period
from presales.accounts.models import Team, User
from presales.core.errors import DomainError, NotAllowed
from presales.core.roles import SALES_ROLES, Actor, Role
from presales.core.writes import apply_fields, check_version, delete_as, save_as, validate

# What a caller may change on an existing target (its period, subject and metric are its key).
TARGET_FIELDS = ("target", "note")


def may_set(actor: Actor, *, person: Any = None, team: Any = None) -> bool:
    """GM / admin: any; a sales manager: a team they manage or a member of one."""
    if not actor.is_authenticated:
        return False
    if actor.is_superuser or actor.has_role(*ALL_TARGET_ROLES):
        return True
    if not actor.has_role(Role.SALES_MANAGER):
        return False
    managed = set(Team.objects.filter(manager=actor.pk).values_list("pk", flat=True))
    if team is not None:
        return getattr(team, "pk", team) in managed
    if person is not None:
        return person.team_id in managed and person.pk != actor.pk
    return bool(managed)


def _require_may_set(actor: Actor, *, person: Any = None, team: Any = None) -> None:
    if not may_set(actor, person=person, team=team):
        raise NotAllowed(
            _("Only the team's sales manager, a general manager or an admin sets these targets.")
        )


def _check_subject(person: Any, team: Any) -> None:
    if (person is None) == (team is None):
        raise DomainError(fields={"person": [_("A target is for one sales rep or for one team, not both.")]})
    if person is not None and not person.roles.intersection(SALES_ROLES):
        raise DomainError(fields={"person": [_("Targets are set for sales reps and sales managers.")]})


def _save(target: SalesTarget, actor: Actor) -> None:
    validate(target)
    try:
        with transaction.atomic():
            save_as(target, actor)
    except IntegrityError as exc:  # a concurrent twin passed validation at the same time
        raise DomainError(
            fields={"metric": [_("This target already exists for this period; reload the page.")]}
        ) from exc


@transaction.atomic
def target_create(
    *,
    actor: Actor,
    period: Period,
    metric: str,
    target: Decimal,
    person: User | None = None,
    team: Team | None = None,
    note: str = "",
) -> SalesTarget:
    """Set a new target of a person or a team for a period and a metric."""
    _check_subject(person, team)
    _require_may_set(actor, person=person, team=team)
    if metric not in TargetMetric.values:
        raise DomainError(fields={"metric": [_("Unknown metric.")]})
    row = SalesTarget(
        period_kind=period.kind,
        period_start=period.start,
        person=person,
        team=team,
        metric=metric,
        target=target,
        note=note,
        set_by_id=actor.pk,
    )
    _save(row, actor)
    return row


@transaction.atomic
def target_update(
    *, actor: Actor, target: SalesTarget, data: Mapping[str, Any], expected_version: int | None = None
) -> SalesTarget:
    """Change a target's value or note."""
    row = SalesTarget.objects.select_for_update(of=("self",)).select_related("person").get(pk=target.pk)
    check_version(row, expected_version)
    _require_may_set(actor, person=row.person, team=row.team_id)
    apply_fields(row, data, TARGET_FIELDS)
    row.set_by_id = actor.pk
    _save(row, actor)
    return row


@transaction.atomic
def target_delete(*, actor: Actor, target: SalesTarget) -> None:
    row = SalesTarget.objects.select_for_update(of=("self",)).select_related("person").get(pk=target.pk)
    _require_may_set(actor, person=row.person, team=row.team_id)
    delete_as(row, actor)


@transaction.atomic
def targets_set(
    *,
    actor: Actor,
    period: Period,
    values: Mapping[tuple[str, int, str], Decimal | None],
    people: Mapping[int, User],
    teams: Mapping[int, Team],
) -> int:
    """The targets page's save: ``values[(\"person\"|\"team\", id, metric)]`` is the new target
    (None: no target, an existing one is removed). Every change goes through the rules above;
    returns how many targets changed."""
    rows = SalesTarget.objects.for_period(period).select_for_update()
    existing: dict[tuple[str, int, str], SalesTarget] = {}
    for t in rows.filter(Q(person__in=list(people)) | Q(team__in=list(teams))):
        existing["person" if t.person_id else "team", int(t.person_id or t.team_id or 0), t.metric] = t
    changed = 0
    for (kind, pk, metric), value in values.items():
        person = people.get(pk) if kind == "person" else None
        team = teams.get(pk) if kind == "team" else None
        current = existing.get((kind, pk, metric))
        if value is None:
            if current is not None:
                _require_may_set(actor, person=person, team=team)
                delete_as(current, actor)
                changed += 1
            continue
        if current is None:
            target_create(actor=actor, period=period, metric=metric, target=value, person=person, team=team)
            changed += 1
        elif current.target != value:
            _require_may_set(actor, person=person, team=team)
            current.target = value
            current.set_by_id = actor.pk
            _save(current, actor)
            changed += 1
    return changed
