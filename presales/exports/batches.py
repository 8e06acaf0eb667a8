"""Reading an export's rows in batches, with or without server-side cursors (issue 9).

``QuerySet.iterator(chunk_size=...)`` streams through a server-side cursor. Behind PgBouncer in
transaction mode those are switched off (``DISABLE_SERVER_SIDE_CURSORS``: a cursor would
outlive the transaction its server connection was lent for), and ``iterator()`` then fetches
the whole result into the client before the first row: a million-row export would hold every
row, joins included, in the worker's memory.

:func:`iterate_in_batches` keeps the memory bounded either way: with server-side cursors it is
``iterator()``; without, it reads the ordered primary keys once (a few bytes per row) and then
the rows batch by batch (``pk IN (...)``, with the queryset's joins, annotations and
prefetches), yielding them in the queryset's order. Rows deleted between the two reads are
skipped; rows changed in between are exported as they are at their batch's read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def server_side_cursors(alias: str) -> bool:
    return not connections[alias].settings_dict.get("DISABLE_SERVER_SIDE_CURSORS", False)


def iterate_in_batches(queryset: QuerySet[M, Any], chunk_size: int) -> Iterator[M]:
    """The rows of ``queryset`` in its order, ``chunk_size`` rows per database read."""
    if server_side_cursors(queryset.db):
        yield from queryset.iterator(chunk_size=chunk_size)
        return
    keys = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(keys), chunk_size):
        batch = keys[start : start + chunk_size]
        rows = {row.pk: row for row in queryset.filter(pk__in=batch).order_by()}
        for key in batch:
            row = rows.get(key)
            if row is not None:
                yield row
