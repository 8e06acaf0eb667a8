"""Searching the knowledge base (R-KB-1): ranked, highlighted, served by the GIN index over
``Article.search_vector`` (keys: knowledge/tokens.py).

``article_search(queryset, query)`` keeps the articles whose keys hold the query and orders them
by ``ts_rank`` over the small ``rank_vector`` with title hits weighing most (A 1.0, summary and
tags B 0.5), then by recency. On SQLite (``make run``) it falls back to ``icontains`` on title,
summary and body, ordered by recency.

How a query of more than two Chinese characters stays exact and fast: the index answers "holds
every pair of the query" exactly, reading no article; "holds them in order" (the phrase
``'能耗' <-> '耗管' <-> '管理'``) needs the positions, i.e. the article's whole ``search_vector``
(about 11 kB, out of line in TOAST): checking it on every article that holds the pairs costs
~15 µs each (8,000 matches: 120 ms). So the phrase is a filter evaluated after the index and the
cheap filters, and a caller that reads one page (``first``: the number of rows it reads from the
top, the search page) gets it checked *lazily*: the matches are ranked from the small
``rank_vector``, then walked in that order and the phrase checked until ``first`` hold it
(typically ``first`` checks). The result is the same as the full check's first ``first`` rows."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import BooleanField, FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL

from knowledge.tokens import query_parts, tsquery_literal

WEIGHTS = "{0.0, 0.2, 0.5, 1.0}"  # D, C, B, A

#: ``ts_rank`` rather than ``ts_rank_cd``: the same weights and "closer and more hits first",
#: but the cover density of a query of three pairs costs ~4 µs an article against ~1 µs.
RANK_SQL = 'ts_rank(%s::float4[], "{table}"."rank_vector", %s::tsquery)'


def article_search(queryset: QuerySet[Any], query: str, *, first: int | None = None) -> QuerySet[Any]:
    """The articles of ``queryset`` matching ``query``, best first (annotated ``rank``). An empty
    query keeps the queryset as it is; a query without a searchable character finds nothing.

    ``first``: the caller reads at most the first ``first`` rows in this order (a page and the
    row telling whether there are more); the phrase of a longer Chinese query is then checked
    lazily on the ranked candidates, and the queryset holds exactly those ``first`` rows. Without
    it every match is checked (any order, any count)."""
    if not (query or "").strip():
        return queryset
    loose = tsquery_literal(query, phrase=False)
    if not loose:
        return queryset.none()
    if connection.vendor != "postgresql":
        condition = Q()
        for part in query_parts(query):
            condition &= Q(title__icontains=part) | Q(summary__icontains=part) | Q(body__icontains=part)
        return queryset.filter(condition).order_by("-updated_at", "-id")
    table = queryset.model._meta.db_table
    exact = tsquery_literal(query)
    rank = RawSQL(RANK_SQL.format(table=table), [WEIGHTS, loose], output_field=FloatField())
    order = ("-rank", "-updated_at", "-id")
    # The pairs: the index condition (exact for what it says, no recheck of the table).
    holds_pairs = RawSQL(f'"{table}"."search_vector" @@ %s::tsquery', [loose], output_field=BooleanField())
    ranked = queryset.filter(holds_pairs).annotate(rank=rank).order_by(*order)
    if exact == loose:
        return ranked
    if first is None:
        # ts_match_vq is the @@ operator as a function: the planner cannot make it an index
        # condition, so it stays a filter on the rows the index and the other filters keep.
        in_order = RawSQL(
            f'ts_match_vq("{table}"."search_vector", %s::tsquery)', [exact], output_field=BooleanField()
        )
        return ranked.filter(in_order)
    # The ranked candidates (LIMIT: a fence, so the planner neither flattens the subquery nor
    # pushes the phrase check below the sort), walked in order until ``first`` hold the phrase.
    candidates = ranked.values("pk", "search_vector")[: 10**9]
    sql, params = candidates.query.get_compiler(using=candidates.db).as_sql()
    lazily = RawSQL(
        f"SELECT c.id FROM ({sql}) AS c(id, search_vector) WHERE ts_match_vq(c.search_vector, %s::tsquery)"
        " LIMIT %s",
        [*params, exact, max(first, 1)],
    )
    return queryset.filter(pk__in=lazily).annotate(rank=rank).order_by(*order)
