"""Dashboard panels: each app registers a function returning a panel dict for a user."""

from __future__ import annotations

from collections.abc import Callable

_PANELS: list[Callable] = []


def register_panel(func: Callable) -> Callable:
    _PANELS.append(func)
    return func


def dashboard_panels(user) -> list[dict]:
    panels = []
    for func in _PANELS:
        panel = func(user)
        if panel:
            panels.append(panel)
    return panels
