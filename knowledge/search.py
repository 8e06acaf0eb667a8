"""Searching the knowledge base (R-KB-1): ranked, highlighted, served by the GIN index over
``Article.search_vector`` (keys: knowledge/tokens.py).

``article_search(queryset, query)`` keeps the articles whose keys hold the query
(``search_vector @@ '<tsquery literal>'::tsquery``, an index condition) and orders them by
``ts_rank_cd`` with title hits weighing most (A 1.0, summary and tags B 0.5, body C 0.2), then by
recency. On SQLite (``make run``) it falls back to ``icontains`` on title, summary and body,
ordered by recency."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import BooleanField, FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL

from knowledge.tokens import query_parts, tsquery_literal

WEIGHTS = "{0.0, 0.2, 0.5, 1.0}"  # D, C, B, A


CANDIDATES = 200  # the best candidates a phrase is checked on


def article_search(queryset: QuerySet[Any], query: str) -> QuerySet[Any]:
    """The articles of ``queryset`` matching ``query``, best first. An empty query keeps the
    queryset as it is; a query without a searchable character finds nothing.

    The index answers "holds every pair of the query" exactly, reading no article; the rank
    reads only the small ``rank_vector`` (title, summary, tags). A query of more than two
    Chinese characters must also hold its pairs in order (a phrase, which needs the article's
    positions): that is checked on the ``CANDIDATES`` best candidates only, so its cost does
    not grow with the number of articles holding the pairs."""
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

    def matches(literal: str) -> RawSQL:
        return RawSQL(f'"{table}"."search_vector" @@ %s::tsquery', [literal], output_field=BooleanField())

    rank = RawSQL(
        f'ts_rank_cd(%s::float4[], "{table}"."rank_vector", %s::tsquery)',
        [WEIGHTS, loose],
        output_field=FloatField(),
    )
    ranked = queryset.filter(matches(loose)).annotate(rank=rank).order_by("-rank", "-updated_at", "-id")
    if exact == loose:
        return ranked
    candidates = ranked.values("pk")[:CANDIDATES]
    return (
        queryset.filter(pk__in=candidates)
        .filter(matches(exact))
        .annotate(rank=rank)
        .order_by("-rank", "-updated_at", "-id")
    )
