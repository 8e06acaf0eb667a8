"""Web list paging that never counts the whole visible set (issue 9).

A list page says how many rows match up to a cap and "more than <cap>" beyond it: the
count is ``SELECT count(*) FROM (SELECT … LIMIT cap + 1)``, so it reads at most cap + 1
rows of the index whatever the table's size. Page links keep working past the cap: the
count on page n reaches at least one row beyond it, so "next" is offered while rows remain.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Rows a list page counts at most: it shows "more than 1,000" beyond.
LIST_COUNT_CAP = 1000


def _queryset(object_list: Any) -> QuerySet | None:
    """The queryset under django-tables2's rows (BoundRows → TableData → QuerySet), or the
    queryset itself."""
    data = object_list
    for _level in range(3):
        if isinstance(data, QuerySet):
            return data
        data = getattr(data, "data", None)
    return None


class CappedPaginator(Paginator):
    """A paginator whose ``count`` stops at ``cap`` + 1 (or one row past the page asked for
    when that is further); ``capped`` says the true number is larger than ``cap_shown``."""

    cap = LIST_COUNT_CAP

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit = self.cap + 1

    def page(self, number: Any) -> Page:
        try:
            wanted = max(int(number), 1)
        except (TypeError, ValueError):
            wanted = 1
        limit = max(self.cap, wanted * int(self.per_page)) + 1
        if limit != self.limit:
            self.limit = limit
            for name in ("count", "num_pages"):
                self.__dict__.pop(name, None)
        return super().page(number)

    @cached_property
    def count(self) -> int:
        queryset = _queryset(self.object_list)
        if queryset is None:
            return min(len(self.object_list), self.limit)
        # The order does not change how many rows the first ``limit`` are: no sort.
        return queryset.order_by()[: self.limit].count()

    @property
    def capped(self) -> bool:
        return self.count >= self.limit

    @property
    def cap_shown(self) -> int:
        """The number the page says there are more than, when ``capped``."""
        return self.limit - 1
