"""Dashboard panels: each app registers a function returning a panel dict for a user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from presales.core.roles import Actor

# A panel function takes the user (the accounts User; the core knows it as an Actor).
Panel = Callable[[Any], dict[str, Any] | None]
_PANELS: list[Panel] = []


def register_panel(func: Panel) -> Panel:
    _PANELS.append(func)
    return func


def dashboard_panels(user: Actor) -> list[dict[str, Any]]:
    panels = []
    for func in _PANELS:
        panel = func(user)
        if panel:
            panels.append(panel)
    return panels
