"""Newest-first windows of a record's timeline (issue 9).

A detail page shows the newest rows of a timeline that can grow without bound (a customer's
communications, an audit trail) and a "show older" link for the next window: keyset paging
on (time, id), so every window costs the same whatever its depth and however long the
timeline is. A cursor is the time and id of the last row shown, as text for a query string.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from django.db.models import Model, Q, QuerySet

T = TypeVar("T", bound=Model)

# Rows per window of a detail page's timeline: the HTML of a page stays small.
TIMELINE_WINDOW = 20


class BadCursor(ValueError):
    """A ``before`` value that no window produced."""


@dataclass
class Window(Generic[T]):
    items: list[T]
    older: str | None  # the cursor of the next window; None when this one reaches the start


def _cursor(row: Model, field: str) -> str:
    return f"{getattr(row, field).isoformat()}~{row.pk}"


def parse_cursor(value: str) -> tuple[datetime, int]:
    when, sep, pk = value.rpartition("~")
    try:
        if not sep:
            raise ValueError(value)
        return datetime.fromisoformat(when), int(pk)
    except ValueError as exc:
        raise BadCursor(value) from exc


def parse_time(value: str | None) -> datetime | None:
    """A window boundary that is a time only (the audit trail's)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise BadCursor(value) from exc


def newest_window(
    queryset: QuerySet[T], *, field: str, before: str | None = None, size: int = TIMELINE_WINDOW
) -> Window[T]:
    """The ``size`` newest rows by ``field`` (then id), older than the cursor ``before``."""
    rows = queryset.order_by(f"-{field}", "-pk")
    if before:
        when, pk = parse_cursor(before)
        rows = rows.filter(Q(**{f"{field}__lt": when}) | Q(**{field: when, "pk__lt": pk}))
    found = list(rows[: size + 1])
    older = _cursor(found[size - 1], field) if len(found) > size else None
    return Window(found[:size], older)


def more_url(url: str, older: Any) -> str | None:
    """The link to the next window (``older`` a cursor or a time), or None."""
    if older is None:
        return None
    value = older.isoformat() if isinstance(older, datetime) else str(older)
    return f"{url}?{urlencode({'before': value})}"
