"""Row-level visibility as queryset filters (R-CUST-6), shaped to scale (issue 9).

Each scoped model's QuerySet implements ``visible_to(user)`` by calling
:func:`visibility_q` with the paths to its team and to the people personally on it.
Base views (web and API) call ``visible_to`` in one place; views never filter ad hoc.

The predicate is an OR of *pieces*, each of which PostgreSQL can answer from an index and
estimate well (docs/architecture.md, "Visibility at scale"):

- ``team_id IN (the user's teams)`` and ``owner_id = user``: plain columns of the row;
- ``id IN (SELECT <row id> FROM <link table> WHERE user_id = user)``: one small per-user
  set per way of being *personally* on a row (an assignment, an opportunity's owner, a
  project membership). The planner estimates each from the statistics of one indexed
  column and hashes it once ("hashed SubPlan"), then filters an index scan in the list's
  order and stops after one page.

Never ``id IN (SELECT id FROM <table> JOIN ... WHERE a = u OR b = u OR c = u)``: the OR over
a join is estimated at a large fraction of the table, does not fit work_mem as a hash and
is rescanned per row (12 s for a page at 1M rows, issue 9).

Apps above a model add their ways of being on it with :func:`register_personal_rows`
(opportunities add "owner or project member of one of the customer's opportunities" to
customers), so the model's app need not import them. A child list (contacts,
communications) reuses its parent's pieces through the foreign key with
:func:`personal_q`'s ``prefix`` instead of nesting ``parent IN (visible parents)``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import BooleanField, F, Func, Model, Q, QuerySet

from presales.core.roles import Actor, Scope, scope_of

# model label ("leads.Customer") -> functions user -> a ``values(<id>)`` queryset of the
# ids of that model's rows the user is personally on.
PersonalRows = Callable[[Actor], QuerySet[Any]]
_PERSONAL_ROWS: dict[str, list[PersonalRows]] = {}


def register_personal_rows(label: str, source: PersonalRows) -> None:
    """Declare a way of being personally on rows of ``label`` (``app_label.ModelName``).

    ``source(user)`` returns a one-column queryset of those rows' ids, filtered by one
    indexed user column (e.g. ``Opportunity.objects.filter(sales_owner_id=user.pk)
    .values("customer_id")``). Called from an ``AppConfig.ready``; idempotent.
    """
    sources = _PERSONAL_ROWS.setdefault(label, [])
    if source not in sources:
        sources.append(source)


def personal_rows(label: str, user: Actor) -> list[QuerySet[Any]]:
    """The registered per-user id sets of ``label`` for ``user``."""
    return [source(user) for source in _PERSONAL_ROWS.get(label, [])]


def visibility_q(
    user: Actor,
    *,
    team_field: str,
    people_fields: tuple[str, ...] = (),
    extra: Q | None = None,
    personal: Iterable[QuerySet[Any]] = (),
    prefix: str = "",
    model: type[Model] | None = None,
    parent_sets: bool = True,
) -> Q:
    """A Q that keeps the rows ``user`` may see.

    - no role / anonymous: nothing;
    - team scope: rows of the user's teams (home + managed) or naming the user personally;
    - all scope: every row.

    ``extra`` adds paths a plain field cannot express, e.g. a subquery over assignments
    (a subquery, unlike a join, never duplicates rows); ``personal`` adds per-user id sets
    (see :func:`personal_q`).
    """
    scope = scope_of(user)
    if scope is None:
        return Q(pk__in=[])
    if scope == Scope.ALL:
        return Q()
    return personal_q(
        user,
        team_field=team_field,
        people_fields=people_fields,
        extra=extra,
        personal=personal,
        prefix=prefix,
        model=model,
        parent_sets=parent_sets,
    )


class AnyOf(Func):
    """``<expression> = ANY(ARRAY(<subquery>))``: the subquery runs once (an InitPlan) and
    the comparison is an index condition, so several of them combine in a BitmapOr."""

    template = "%(expressions)s)"  # <expression> = ANY(<array>)
    arg_joiner = " = ANY("
    output_field = BooleanField()

    def __init__(self, expression: str, rows: QuerySet[Any]) -> None:
        # No ORDER BY inside: a set needs none (``IN`` drops it; ARRAY would sort for it).
        super().__init__(F(expression), ArraySubquery(rows.order_by()))

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, Any]:
        """SQLite (``make run``'s demo) has no arrays: ``<expression> IN (<subquery>)``."""
        column, rows = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        subquery = copy.copy(rows)
        subquery.template = "(%(subquery)s)"
        rows_sql, rows_params = compiler.compile(subquery)
        return f"{column_sql} IN {rows_sql}", (*column_params, *rows_params)


def _fk_column(prefix: str) -> str:
    """``"customer__"`` -> ``"customer_id"`` (the child's column), ``""`` -> ``"pk"``."""
    return f"{prefix.removesuffix('__')}_id" if prefix else "pk"


def personal_q(
    user: Actor,
    *,
    team_field: str,
    people_fields: tuple[str, ...] = (),
    extra: Q | None = None,
    personal: Iterable[QuerySet[Any]] = (),
    prefix: str = "",
    model: type[Model] | None = None,
    parent_sets: bool = True,
) -> Q:
    """Rows the user is *close to*: their teams' rows or rows naming them.

    Used both for team-scope visibility and for unmasking contact details: an all-scope
    viewer outside the owning team sees the record but not the contact details.

    ``personal`` are one-column querysets of row ids. ``prefix`` (e.g. ``"customer__"``)
    applies the same pieces to a child row through its foreign key to ``model`` (the
    parent): ``customer_id IN (SELECT id FROM customer WHERE team_id IN (...))``,
    ``customer_id IN (<per-user set>)``: no join, so the child's own index serves the
    list's order. ``parent_sets=False`` keeps the team and people pieces as a join
    (``lead.team_id IN (...)``) where the parent's team set is too large to hash in
    work_mem (a team's leads: a tenth of the table).

    Two shapes of the same predicate, chosen by who asks (docs/architecture.md):

    - a member of a team sees a good share of the rows: ``team IN (...) OR id IN (hashed
      per-user set) OR ...`` lets PostgreSQL walk the list's index in its order and keep
      matching rows until the page is full;
    - a person without a team sees only the rows naming them, a few among millions:
      every piece is an index condition on the row itself (``owner_id = u``,
      ``id = ANY(ARRAY(per-user set))``), combined in a BitmapOr, then sorted.
    """
    if not user.is_authenticated:
        return Q(pk__in=[])
    team_ids = sorted(user.team_ids)
    if team_ids and prefix and parent_sets:
        assert model is not None, "a prefixed predicate names its parent model"
        parents = model._default_manager
        q = Q(**{f"{prefix}pk__in": parents.filter(**{f"{team_field}__in": team_ids}).values("pk")})
        for field in people_fields:
            q |= Q(**{f"{prefix}pk__in": parents.filter(**{field: user.pk}).values("pk")})
        for rows in personal:
            q |= Q(**{f"{prefix}pk__in": rows})
    elif team_ids:
        q = Q(**{f"{prefix}{team_field}__in": team_ids})
        for field in people_fields:
            q |= Q(**{f"{prefix}{field}": user.pk})
        for rows in personal:
            q |= Q(**{f"{prefix}pk__in": rows})
    else:
        column = _fk_column(prefix)
        q = Q(pk__in=[])
        for field in people_fields:
            if prefix:
                assert model is not None, "a prefixed predicate names its parent model"
                rows = model._default_manager.filter(**{field: user.pk}).values("pk")
                q |= Q(AnyOf(column, rows))
            else:
                q |= Q(**{field: user.pk})
        for rows in personal:
            q |= Q(AnyOf(column, rows))
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
