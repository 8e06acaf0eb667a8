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
It is called once per page, and its dict is the section template's context (with the page's
own: ``opportunity``, ``can_work``, ``request``, ``user``).

This app registers its own sections the same way (``opportunities/desk_sections.py``:
reviews 40, timers 80, history 90); an app registering a section with the same key replaces it.
The reviews and timers tabs gather the rows of every subject of the opportunity: apps whose
records are reviewed or timed add where to find them::

    register_desk_reviews(lambda opportunity: Q(content_type=..., object_id__in=...))  # over reviews.Review
    register_desk_timers(lambda opportunity: Q(subject_type=..., subject_id__in=...))  # over sla.Timer

Each source returns a ``Q`` (subqueries, no query of its own), so the tabs stay one query each.

A section that writes with htmx and changes what a stage gate reads (the needs section and
R-NEED-4) sends ``DESK_CHANGED`` as its response's ``HX-Trigger``: the page's "Next moves"
card reloads itself on it, so the reasons a move is blocked stay true without a reload.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

DESK_CHANGED = "opportunity-changed"  # the htmx event the desk's "Next moves" card reloads on


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


# (opportunity) -> a Q over reviews.Review / presales.sla.Timer naming its subjects' rows.
DeskSource = Callable[[Any], Q]
_REVIEW_SOURCES: list[DeskSource] = []
_TIMER_SOURCES: list[DeskSource] = []


def register_desk_reviews(source: DeskSource) -> DeskSource:
    """Add the reviews of an app's subjects (e.g. solution versions) to the Reviews tab."""
    if source not in _REVIEW_SOURCES:
        _REVIEW_SOURCES.append(source)
    return source


def register_desk_timers(source: DeskSource) -> DeskSource:
    """Add the timers of an app's records (e.g. demos) to the Timers tab."""
    if source not in _TIMER_SOURCES:
        _TIMER_SOURCES.append(source)
    return source


def desk_review_sources() -> list[DeskSource]:
    return list(_REVIEW_SOURCES)


def desk_timer_sources() -> list[DeskSource]:
    return list(_TIMER_SOURCES)


@dataclass(frozen=True)
class DeskTab:
    """One section as the page renders it: its context and badge computed once."""

    section: DeskSection
    context: dict[str, Any]
    badge: Any = None

    @property
    def key(self) -> str:
        return self.section.key

    @property
    def label(self) -> Any:
        return self.section.label

    @property
    def template(self) -> str:
        return self.section.template


def desk_tabs(request: Any, opportunity: Any) -> list[DeskTab]:
    """Every registered section of ``opportunity``'s page, in order, each context function
    and badge called exactly once."""
    tabs = []
    for section in desk_sections():
        context = section.context(request, opportunity)
        badge = section.badge(opportunity) if section.badge is not None else None
        tabs.append(DeskTab(section, context, badge))
    return tabs
