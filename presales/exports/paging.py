"""Bulk reading through the API is an export too (R-CUST-6): paging through a whole list
is logged like a CSV export.

The cursor pagination reports every page it serves; the rows served are counted per user,
resource and filter for a window (in the cache). When the count first passes the export
threshold (``PRESALES["EXPORT_SYNC_MAX_ROWS"]``, above which an export runs in the
background) one :class:`ExportLog` row is written with channel ``api-paging``: the
resource, the filter and the rows read so far. The next window starts a new count.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache

from presales.exports.models import ExportLog

CHANNEL = "api-paging"
# How long rows read through one list add up (from the first page read).
WINDOW_SECONDS = 60 * 60
# Paging and formatting parameters do not change which rows a filter selects.
NOT_FILTERS = frozenset({"cursor", "page_size", "ordering", "format"})


def paging_filter(query_params) -> str:
    """The filter of a list request as a stable query string (ExportLog's ``query``)."""
    pairs = sorted(
        (name, value)
        for name in query_params
        if name not in NOT_FILTERS
        for value in query_params.getlist(name)
    )
    return urlencode(pairs)


def record_page(*, user, resource: str, query: str, rows: int) -> ExportLog | None:
    """Count ``rows`` served to ``user`` from ``resource`` with filter ``query``; log once
    when the window's count passes the export threshold. Returns the log written, if any."""
    if not rows or user is None or not user.is_authenticated:
        return None
    threshold = settings.PRESALES["EXPORT_SYNC_MAX_ROWS"]
    digest = hashlib.sha256(f"{user.pk}\0{resource}\0{query}".encode()).hexdigest()
    key = f"presales:api-paging:{digest}"
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        total = cache.incr(key, rows)
    except ValueError:  # the window ended between add and incr
        cache.set(key, rows, timeout=WINDOW_SECONDS)
        total = rows
    # incr is atomic: exactly one request sees the count pass the threshold.
    if total - rows <= threshold < total:
        return ExportLog.objects.create(
            user=user, resource=resource, query=query, row_count=total, channel=CHANNEL
        )
    return None


def on_page(request, view, rows: int) -> None:
    """The cursor pagination's page hook (registered in ``PresalesConfig.ready``)."""
    record_page(
        user=getattr(request, "user", None),
        resource=getattr(view, "basename", None) or type(view).__name__,
        query=paging_filter(request.query_params),
        rows=rows,
    )
