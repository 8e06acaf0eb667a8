"""Completion hooks (R-NEED-5): a layer above (proposals) registers what happens when a
collaboration request of a kind is completed, e.g. writing the R&D answer back on the
requirement. Called inside the completing transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_ON_COMPLETED: dict[str, list[Callable[..., None]]] = {}


def register_on_completed(kind: str, fn: Callable[..., None]) -> None:
    """``fn(request, *, actor)`` runs when a request of ``kind`` is completed."""
    hooks = _ON_COMPLETED.setdefault(kind, [])
    if fn not in hooks:
        hooks.append(fn)


def run_on_completed(request: Any, *, actor: Any) -> None:
    for fn in _ON_COMPLETED.get(request.kind, []):
        fn(request, actor=actor)
