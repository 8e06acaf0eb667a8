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
