"""Hooks of the opportunity lifecycle that the apps built on it fill (issue 10).

``opportunities`` may not import the apps above it (needs, solutions, demos in ``proposals``;
later bids and contracts), yet when an opportunity closes their work in progress must stop:
reviews withdrawn, deadlines cancelled, scheduled demos called off. Each such app registers
what to do from its ``AppConfig.ready()``::

    register_on_closed(versions_on_opportunity_closed)  # (*, opportunity, actor) -> None

The close move (``opportunities.services._move`` into lost or abandoned) calls every hook in
registration order, inside its transaction, after the stage change and its history row are
written and after the project initiation's pending review is withdrawn. Each hook receives
the opportunity *locked* (step 1 of opportunities/locks.py) and already in its closed stage,
and the actor who closed it; it takes its own records' locks after the opportunity's, in its
aggregate's documented order, and must not refuse: a hook that raises rolls the close back
(so a hook checks nothing the closer may lack, e.g. permissions on a demo: the close is the
decision). Follow-ups (e-mails) are scheduled with ``transaction.on_commit`` as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (*, opportunity, actor) -> None
ClosedHook = Callable[..., None]
_ON_CLOSED: list[ClosedHook] = []


def register_on_closed(hook: ClosedHook) -> ClosedHook:
    """Run ``hook(opportunity=, actor=)`` whenever an opportunity closes as lost or
    abandoned. Registering the same function twice keeps one entry."""
    if hook not in _ON_CLOSED:
        _ON_CLOSED.append(hook)
    return hook


def on_closed_hooks() -> list[ClosedHook]:
    return list(_ON_CLOSED)


def run_on_closed(*, opportunity: Any, actor: Any) -> None:
    """Called by the close move under the opportunity's lock (see the module's docstring)."""
    for hook in on_closed_hooks():
        hook(opportunity=opportunity, actor=actor)


# (*, opportunity, before) -> {field: [messages]}; ``before`` maps the checked fields
# (``has_tender``) to their values before the change.
UpdateValidator = Callable[..., dict[str, list[str]]]
_ON_UPDATE: list[UpdateValidator] = []


def register_update_validator(validator: UpdateValidator) -> UpdateValidator:
    """Check an edit of the opportunity's facts against records of the apps above (issue 11:
    the tender flag stays on once a tender is recorded). ``opportunity_update`` calls every
    validator on the locked, changed (unsaved) opportunity; their field messages refuse the
    edit with a 400. Registering the same function twice keeps one entry."""
    if validator not in _ON_UPDATE:
        _ON_UPDATE.append(validator)
    return validator


def run_update_validators(*, opportunity: Any, before: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for validator in list(_ON_UPDATE):
        for field, messages in (validator(opportunity=opportunity, before=before) or {}).items():
            errors.setdefault(field, []).extend(messages)
    return errors
