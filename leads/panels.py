"""Panels that apps above ``leads`` add to the lead and customer pages.

``leads`` may not import the apps built on it, yet a qualified lead became an opportunity
and a customer has opportunities: the page of each links them (issue 10). An app registers,
from its ``AppConfig.ready()``, a function ``(record, user) -> dict | None`` returning the
panel's context with its ``template`` (None: nothing to show)::

    register_detail_panel("lead", lead_opportunity_panel)
    register_detail_panel("customer", customer_opportunities_panel)

The page includes each panel's template with ``panel`` set to that dict. A panel reads what
it shows in a constant number of queries (the pages' query counts are pinned).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

Kind = Literal["lead", "customer"]
Panel = Callable[[Any, Any], dict[str, Any] | None]

_PANELS: dict[str, list[Panel]] = {"lead": [], "customer": []}


def register_detail_panel(kind: Kind, panel: Panel) -> Panel:
    """Add ``panel`` to the pages of ``kind`` (idempotent)."""
    if panel not in _PANELS[kind]:
        _PANELS[kind].append(panel)
    return panel


def detail_panels(kind: Kind, record: Any, user: Any) -> list[dict[str, Any]]:
    """The panels of ``record``'s page for ``user``, in registration order."""
    panels = []
    for panel in _PANELS[kind]:
        context = panel(record, user)
        if context:
            panels.append(context)
    return panels
