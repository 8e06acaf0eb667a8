"""How the records timers are about are fetched for their labels and links.

A timer's label names its record (``str(record)``): for a lead that is its own row, but a
review task names its review, so fetching the tasks one by one would cost a query per timer
in the sweep, the deadline pages and the API. A feature whose record needs related rows for
its label registers the queryset to fetch it with; every reader of many timers prefetches
their records through :func:`subject_prefetch`, a constant number of queries.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import QuerySet

_QUERYSETS: dict[str, Callable[[], QuerySet]] = {}


def register_timer_subject(model_label: str, queryset: Callable[[], QuerySet]) -> None:
    """``queryset()`` fetches the records of ``model_label`` ("app.Model") that timers are
    about, e.g. ``ReviewTask.objects.select_related("review")``. Called from ``ready()``."""
    _QUERYSETS[model_label] = queryset


def subject_prefetch(lookup: str = "subject") -> GenericPrefetch:
    """The prefetch of timers' records: registered querysets where given, else the model's."""
    return GenericPrefetch(lookup, [make() for make in _QUERYSETS.values()])
