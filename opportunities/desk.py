"""The opportunity page as the engineer's desk: sections that apps above this one plug in.

``opportunities`` may not import the apps built on it (needs, solutions, demos in
``proposals``; bids and contracts in ``bids``), yet the opportunity page is where their work
is done. Each of those apps registers its sections from its ``AppConfig.ready()``::

    register_desk_section(DeskSection(
        key="needs", label=_("Needs"), order=20,
        template="proposals/desk/needs.html",
        context=needs_desk_context,        # (request, opportunity) -> dict for the template
        badge=needs_badge,                 # optional: (opportunity) -> str | int | None
    ))

The page renders the sections in ``order`` as tabs; a section's context function reads what
it shows in a constant number of queries (the desk's query count is pinned in the tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DeskSection:
    key: str  # stable, used as the tab's anchor (#needs)
    label: Any  # translated label (gettext_lazy)
    order: int
    template: str
    context: Callable[[Any, Any], dict[str, Any]]  # (request, opportunity) -> template context
    badge: Callable[[Any], Any] | None = None  # (opportunity) -> a short count or status


_SECTIONS: dict[str, DeskSection] = {}


def register_desk_section(section: DeskSection) -> DeskSection:
    """Register (or replace, by key) one section of the opportunity page."""
    _SECTIONS[section.key] = section
    return section


def desk_sections() -> list[DeskSection]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))
