"""Template helpers of FilterSet forms (the folded filter panels, issue 8)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

EMPTY: tuple[Any, ...] = (None, "", [], ())


@register.simple_tag
def active_filter_count(filterset: Any, exclude: str = "") -> int:
    """How many filters of ``filterset`` are set (fields named in ``exclude``, comma
    separated, are not counted): the badge of a folded filter panel on a phone."""
    if not getattr(filterset, "is_bound", False):
        return 0
    form = filterset.form
    skip = {name.strip() for name in exclude.split(",") if name.strip()}
    if form.is_valid():
        values = {name: form.cleaned_data.get(name) for name in form.fields}
    else:
        data = form.data
        values = {
            name: data.getlist(name) if hasattr(data, "getlist") else data.get(name) for name in form.fields
        }
    return sum(1 for name, value in values.items() if name not in skip and value not in EMPTY)
