"""Reads of training (R-KPI-1): who sees whose plans and records, the year's planned against
actual hours, and the records' list URL the scorecards link to.

Visibility: an administrator (and the general manager) sees everyone's; a presales manager
their own and their teams' people's (``User.team_ids``: home team and managed teams); anyone
else only their own; a user without a role nothing. Out of scope is 404."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, Sum
from django.urls import reverse

from kpi.models import TrainingPlan, TrainingRecord
from kpi.models.training import TrainingDirection
from kpi.periods import Period
from presales.accounts.models import User
from presales.core.roles import Role, scope_of

NOTHING = Q(pk__in=[])


def sees_everyone(user: Any) -> bool:
    return bool(user.is_superuser or user.has_role(Role.ADMIN, Role.GENERAL_MANAGER))


def training_visibility_q(user: Any, prefix: str = "") -> Q:
    """The plans or records (``prefix`` "" ) whose person ``user`` may see."""
    if not getattr(user, "is_authenticated", False) or scope_of(user) is None:
        return NOTHING
    if sees_everyone(user):
        return Q()
    own = Q(**{f"{prefix}person_id": user.pk})
    if user.has_role(Role.PRESALES_MANAGER):
        return own | Q(**{f"{prefix}person__team_id__in": list(user.team_ids)})
    return own


def plans_for(user: Any):
    return TrainingPlan.objects.filter(training_visibility_q(user)).select_related("person")


def records_for(user: Any):
    return TrainingRecord.objects.filter(training_visibility_q(user)).select_related("person", "plan")


def people_for(user: Any):
    """Whose training ``user`` may record: themselves; a presales manager also their teams'
    active people; an administrator anyone active."""
    people = User.objects.filter(is_active=True)
    if not getattr(user, "is_authenticated", False) or scope_of(user) is None:
        return people.none()
    if user.is_superuser or user.has_role(Role.ADMIN):
        return people
    if user.has_role(Role.PRESALES_MANAGER):
        return people.filter(Q(pk=user.pk) | Q(team_id__in=list(user.team_ids)))
    return people.filter(pk=user.pk)


def hours_by_person(person_ids: list[int], year: int) -> dict[int, dict[str, Decimal]]:
    """For each person: hours planned in ``year``, hours of courses taken and of training
    given that year (two grouped queries)."""
    zero = Decimal("0")
    result: dict[int, dict[str, Decimal]] = defaultdict(
        lambda: {"planned": zero, "taken": zero, "given": zero}
    )
    for row in (
        TrainingPlan.objects.filter(person_id__in=person_ids, year=year)
        .values("person_id")
        .annotate(total=Sum("planned_hours"))
        .order_by()
    ):
        result[row["person_id"]]["planned"] = row["total"] or zero
    for row in (
        TrainingRecord.objects.filter(person_id__in=person_ids, held_on__year=year)
        .values("person_id", "direction")
        .annotate(total=Sum("hours"))
        .order_by()
    ):
        key = "given" if row["direction"] == TrainingDirection.GIVEN else "taken"
        result[row["person_id"]][key] = row["total"] or zero
    return result


def training_records_url(user_id: int, period: Period) -> str:
    """The training records' list filtered to one person and a period (``held_until``
    exclusive): what a scorecard links its training figure to."""
    params = {
        "person": user_id,
        "held_from": period.start.isoformat(),
        "held_until": period.end.isoformat(),
    }
    return f"{reverse('kpi:training:records')}?{urlencode(params)}"


def records_url(
    *, person: int | None = None, held_from: date | None = None, held_until: date | None = None
) -> str:
    params: dict[str, Any] = {}
    if person is not None:
        params["person"] = person
    if held_from is not None:
        params["held_from"] = held_from.isoformat()
    if held_until is not None:
        params["held_until"] = held_until.isoformat()
    url = reverse("kpi:training:records")
    return f"{url}?{urlencode(params)}" if params else url
