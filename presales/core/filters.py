"""Filters shared by every app's FilterSets (one FilterSet serves a list page and its API)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _


class YesNoFilter(django_filters.BooleanFilter):
    """A yes/no filter whose empty choice reads "Any" (django-filter's default widget offers
    "Unknown", which reads as a value, not as "not filtered"). The API takes true/false."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))])
        )
        super().__init__(*args, **kwargs)


class ChoicesFilter(django_filters.MultipleChoiceFilter):
    """Any of several choices of a column (``?stage=bid&stage=demo``).

    django-filter's ``MultipleChoiceFilter`` adds ``DISTINCT`` by default (for filters across
    a to-many relation). Over a column of the listed row there is nothing to de-duplicate, and
    ``SELECT DISTINCT`` must sort every matching row by every column before the page's LIMIT:
    no ordering index can serve it (issue 9: 240–650 ms at a million rows instead of a few).
    Use django-filter's own class with ``distinct=True`` for a to-many path."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


class ModelChoicesFilter(django_filters.ModelMultipleChoiceFilter):
    """Any of several rows a foreign key of the listed row points to (``?team=3&team=5``; one
    value reads as before): one ``<column> IN (…)``, which the column's index serves, and no
    ``DISTINCT`` (see :class:`ChoicesFilter`); django-filter's own class ORs one equality per
    value and de-duplicates."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)

    def filter(self, qs: Any, value: Any) -> Any:
        if not value:
            return qs
        return self.get_method(qs)(**{f"{self.field_name}__in": [getattr(v, "pk", v) for v in value]})
