"""Dashboard panels: each app registers a function returning a panel dict for a user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from presales.core.roles import Actor

_PANELS: list[Callable[[Actor], dict[str, Any] | None]] = []


def register_panel(
    func: Callable[[Actor], dict[str, Any] | None],
) -> Callable[[Actor], dict[str, Any] | None]:
    _PANELS.append(func)
    return func


def dashboard_panels(user: Actor) -> list[dict[str, Any]]:
    panels = []
    for func in _PANELS:
        panel = func(user)
        if panel:
            panels.append(panel)
    return panels
