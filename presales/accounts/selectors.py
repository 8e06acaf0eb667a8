"""Reads of people: who may be offered as an owner (the pickers of forms and serializers)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from presales.accounts.models import Team, User
from presales.core.roles import PRESALES_ROLES, SALES_ROLES, WRITER_ROLES, Scope, scope_of


def people_with_roles(roles: Iterable[str]) -> QuerySet[User]:
    """Active users holding one of ``roles``, in display order."""
    return (
        User.objects.filter(is_active=True, groups__name__in=list(roles))
        .distinct()
        .order_by("display_name", "username")
    )


def writers() -> QuerySet[User]:
    """Who may own customers and leads (the roles that write them)."""
    return people_with_roles(WRITER_ROLES)


def presales_people() -> QuerySet[User]:
    """Presales engineers and managers: the only presales owners (R-CUST-5)."""
    return people_with_roles(PRESALES_ROLES)


def sales_people() -> QuerySet[User]:
    """Sales reps and managers: the only sales owners of an opportunity (R-OPP-1)."""
    return people_with_roles(SALES_ROLES)


# --- the choices of filter drop-downs (R-CUST-6) -------------------------------------------
# django-filter calls a callable queryset with the request: every ModelChoiceFilter offers
# only what the requesting user may filter by, so a drop-down (or a 400 "Select a valid
# choice" against a 200-empty answer) tells nothing about records outside their scope.


def _user_of(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or scope_of(user) is None:
        return None
    return user


def filter_teams(request) -> QuerySet[Team]:
    """Teams a user may filter by: all for all-scope roles, else their own (home + managed)."""
    user = _user_of(request)
    if user is None:
        return Team.objects.none()
    if scope_of(user) == Scope.ALL:
        return Team.objects.all()
    return Team.objects.filter(pk__in=user.team_ids)


def filter_people(request) -> QuerySet[User]:
    """People a user may filter by: active colleagues (names of staff are not customer data,
    and a presales assistant from another team can be on a visible record); none without a role."""
    if _user_of(request) is None:
        return User.objects.none()
    return User.objects.filter(is_active=True).order_by("display_name", "username")
