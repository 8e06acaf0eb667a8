"""Fixtures of the opportunities tests."""

from __future__ import annotations

from dataclasses import replace

import pytest

from opportunities import desk
from opportunities.transitions import MACHINE

# The apps built on opportunities: what they register (gates, desk sections) is tested with
# them (tests/proposals); the opportunities' own tests of those registries run without it.
ABOVE = ("knowledge.", "collaboration.", "proposals.", "bids.", "kpi.", "demo.")


def _from_above(fn) -> bool:
    return getattr(fn, "__module__", "").startswith(ABOVE)


@pytest.fixture
def opportunities_only():
    """The lifecycle's gates and the desk's sections as ``opportunities`` alone declares
    them (plus what a test registers), restored after the test."""
    saved_moves = dict(MACHINE.moves)
    saved_sections = dict(desk._SECTIONS)
    for name, move in saved_moves.items():
        MACHINE.moves[name] = replace(move, guards=tuple(g for g in move.guards if not _from_above(g)))
    for key, section in saved_sections.items():
        if _from_above(section.context):
            del desk._SECTIONS[key]
    yield
    MACHINE.moves.clear()
    MACHINE.moves.update(saved_moves)
    desk._SECTIONS.clear()
    desk._SECTIONS.update(saved_sections)
