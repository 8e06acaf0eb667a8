"""Row-level visibility as queryset filters (R-CUST-6).

Each scoped model's QuerySet implements ``visible_to(user)`` by calling
:func:`visibility_q` with the paths to its team and to the people personally on it.
Base views (web and API) call ``visible_to`` in one place; views never filter ad hoc.
"""

from __future__ import annotations

from django.db.models import Q

from presales.core.roles import Actor, Scope, scope_of


def visibility_q(
    user: Actor, *, team_field: str, people_fields: tuple[str, ...] = (), extra: Q | None = None
) -> Q:
    """A Q that keeps the rows ``user`` may see.

    - no role / anonymous: nothing;
    - team scope: rows of the user's teams (home + managed) or naming the user personally;
    - all scope: every row.

    ``extra`` adds paths a plain field cannot express, e.g. a subquery over assignments
    (a subquery, unlike a join, never duplicates rows).
    """
    scope = scope_of(user)
    if scope is None:
        return Q(pk__in=[])
    if scope == Scope.ALL:
        return Q()
    return personal_q(user, team_field=team_field, people_fields=people_fields, extra=extra)


def personal_q(
    user: Actor, *, team_field: str, people_fields: tuple[str, ...] = (), extra: Q | None = None
) -> Q:
    """Rows the user is *close to*: their teams' rows or rows naming them.

    Used both for team-scope visibility and for unmasking contact details: an all-scope
    viewer outside the owning team sees the record but not the contact details.
    """
    if not user.is_authenticated:
        return Q(pk__in=[])
    q = Q(**{f"{team_field}__in": list(user.team_ids)})
    for field in people_fields:
        q |= Q(**{field: user.pk})
    if extra is not None:
        q |= extra
    return q


MASK = "***"


def mask_phone(value: str) -> str:
    """Keep the last four digits so a caller can still recognise the number."""
    if not value:
        return value
    return MASK + value[-4:] if len(value) > 4 else MASK


def mask_email(value: str) -> str:
    if not value or "@" not in value:
        return MASK if value else value
    local, _, domain = value.partition("@")
    return f"{local[:1]}{MASK}@{domain}"
