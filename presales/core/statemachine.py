"""A small state-machine core shared by every lifecycle (leads, opportunities, solutions...).

Each app's ``transitions.py`` declares its allowed moves as data (one ``Move`` per edge
set) with named guard functions. A guard returns the reasons a move is refused (empty =
allowed), so the UI can show why a button is disabled and the API can answer 409 with the
same reasons. Services call :meth:`Machine.check` on the row they have locked, then write
through their aggregate's one status-writing function (which records the status-change row).

Two kinds of guards, one mechanism for every lifecycle:

- ``guards`` read the record (and what was fetched with it): they run when moves are offered
  (:meth:`Machine.options`) and when a move is made (:meth:`Machine.check`);
- ``input_guards`` read what the user sends with the move (a reason, an assessment): they
  run only when the move is made, so a move that asks for input is offered as allowed and
  its form asks for it. ``input_fields`` names what a move asks for besides its note.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from presales.core.errors import GateRefused, NotAllowed
from presales.core.roles import Actor

Guard = Callable[..., list[str]]
Permission = Callable[[Any, Any], bool]


@dataclass(frozen=True)
class Move:
    """One allowed move: from any of ``sources`` to ``target``, if every guard passes."""

    name: str
    sources: frozenset[str]
    target: str
    label: str
    guards: tuple[Guard, ...] = ()
    # Guards on the move's own input (a reason, an assessment): run by ``check`` when the
    # input arrives, but not by ``options``, which would otherwise show every move needing
    # input as blocked before its form was even opened.
    input_guards: tuple[Guard, ...] = ()
    # The inputs the move asks for besides the note (form fields, API keys, history details).
    input_fields: tuple[str, ...] = ()
    permission: Permission | None = None
    style: str = "primary"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def needs_input(self) -> bool:
        """The move has a form: it asks for input that its input guards check."""
        return bool(self.input_guards or self.input_fields)


@dataclass(frozen=True)
class MoveOption:
    """A move as offered to a user: allowed, or refused with reasons."""

    move: Move
    reasons: list[str]

    @property
    def allowed(self) -> bool:
        return not self.reasons


class Machine:
    def __init__(self, moves: Iterable[Move], *, state_field: str = "status") -> None:
        self.moves = {m.name: m for m in moves}
        self.state_field = state_field

    def state(self, obj: models.Model) -> str:
        return getattr(obj, self.state_field)

    def get(self, name: str) -> Move:
        try:
            return self.moves[name]
        except KeyError:
            raise NotAllowed(_("Unknown move."), code="unknown_move") from None

    def reasons(
        self, obj: models.Model, actor: Actor, name: str, *, with_input: bool = True, **context: Any
    ) -> list[str]:
        """Why ``actor`` may not make move ``name`` on ``obj`` now (empty list = allowed).

        ``with_input=False`` leaves out the input guards (used to offer moves)."""
        move = self.get(name)
        if self.state(obj) not in move.sources:
            return [
                _("This move is not possible from the current state (%(state)s).")
                % {"state": _display(obj, self.state_field)}
            ]
        reasons: list[str] = []
        for guard in move.guards + (move.input_guards if with_input else ()):
            reasons.extend(guard(obj, actor, **context))
        return reasons

    def check(
        self, obj: models.Model, actor: Actor, name: str, *, check_permission: bool = True, **context: Any
    ) -> Move:
        """Raise NotAllowed (403) or GateRefused (409, with reasons) unless the move may run.

        Every guard runs, input guards included (``context`` is the move's input).
        ``check_permission=False`` is for moves whose authority comes from elsewhere (a
        review chain's decision): the gates still run."""
        move = self.get(name)
        if check_permission and move.permission is not None and not move.permission(actor, obj):
            raise NotAllowed(_("You are not allowed to make this move."))
        reasons = self.reasons(obj, actor, name, **context)
        if reasons:
            raise GateRefused(reasons=reasons, extra={"move": name})
        return move

    def options(self, obj: models.Model, actor: Actor) -> list[MoveOption]:
        """Moves leaving the current state that ``actor`` holds permission for, with the
        reasons their record guards give now (input guards wait for the move's input)."""
        options = []
        for move in self.moves.values():
            if self.state(obj) not in move.sources:
                continue
            if move.permission is not None and not move.permission(actor, obj):
                continue
            options.append(MoveOption(move, self.reasons(obj, actor, move.name, with_input=False)))
        return options


def _display(obj: models.Model, field_name: str) -> str:
    return str(getattr(obj, f"get_{field_name}_display")())
