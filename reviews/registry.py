"""How reviewed subjects plug into the review engine (R-REV-1).

A subject type (project initiation now; solution versions, bids and contracts later) is
registered once, from its app's ``AppConfig.ready()``. The engine never imports subject
apps: it reaches them only through these callables, so a new subject type needs a
registration and a chain, not a change to the engine.

The callbacks ``on_approved`` / ``on_rejected`` run inside the transaction that records the
deciding vote, with the subject row available for locking: the subject's own service moves
its state there, so the review and the subject can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class SubjectType:
    kind: str  # stable code, e.g. "initiation", "solution_version", "bid", "contract"
    model: str  # "app_label.ModelName" of the subject
    label: Any  # translated label (gettext_lazy)
    team_of: Callable[[Any], Any]  # subject -> Team (approver roles resolve within it)
    author_of: Callable[[Any], Any]  # subject -> User (may not approve their own subject)
    summary_of: Callable[[Any], str]  # subject -> one-line summary for the inbox
    url_of: Callable[[Any], str]  # subject -> its page
    on_approved: Callable[..., None]  # (subject=, review=, actor=) inside the transaction
    on_rejected: Callable[..., None]  # (subject=, review=, actor=) inside the transaction
    amount_of: Callable[[Any], Decimal | None] | None = None  # for step conditions
    visible_to: Callable[[Any], Any] | None = None  # user -> queryset of visible subjects


_TYPES: dict[str, SubjectType] = {}


def register_subject_type(subject_type: SubjectType) -> None:
    _TYPES[subject_type.kind] = subject_type


def get_subject_type(kind: str) -> SubjectType:
    return _TYPES[kind]


def subject_types() -> list[SubjectType]:
    return list(_TYPES.values())
