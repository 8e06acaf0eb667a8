"""How reviewed subjects plug into the review engine (R-REV-1).

A subject type (project initiation now; solution versions, bids and contracts later) is
registered once, from its app's ``AppConfig.ready()``. The engine never imports subject
apps: it reaches them only through these callables, so a new subject type needs a
registration and a chain, not a change to the engine.

The callbacks ``on_approved`` / ``on_rejected`` / ``on_cancelled`` run inside the transaction
that records the deciding vote (or the withdrawal), with the subject row available for
locking: the subject's own service moves its state there, through its own status door and
move table (e.g. ``opportunities.services._initiation_move``), so the review and the subject
can never disagree. The registry is the only extension point of the engine: it keeps no
lists of hooks, and its own follow-ups (the approvers' timers, ``reviews.timers``) are
called explicitly from ``reviews.services``.

**Locks.** A subject's services lock the subject and then reach its review (a withdrawal
cancels it); the engine's decisions reach the subject through the callbacks. So that both
take the rows in one order (subject → review → tasks, reviews/locks.py), the engine locks the
subject *first*, through ``lock``: ``lock(subject)`` takes the subject aggregate's locks in
that aggregate's documented order (e.g. opportunity → initiation, opportunities/locks.py) and
returns the subject re-read under its lock. Only then does the engine lock the review and
re-check it. The callbacks receive that locked subject; when they lock again in the same order
nothing waits (a transaction already holds its own locks).

Plugging a subject in:

1. ``register_subject_type(SubjectType(kind="initiation", model="opportunities.ProjectInitiation",
   lock=..., ...))`` in the app's ``AppConfig.ready()``;
2. an admin configures the chain of that kind (``reviews.defaults.ensure_default_chains()``
   creates the four of PROCESS.md);
3. the subject's submit service locks the subject (with the same function as ``lock``), moves
   it to "in review" and calls ``reviews.services.review_start(actor=, subject=, kind=)``;
   The plan leaves out everyone ``authors_of`` names (and the author and submitter); a step
   left with nobody else refuses the start, naming the step (R-REV-5);
4. approvers decide through the inbox or the API (``review_decide``); the last approval calls
   ``on_approved``, a rejection ``on_rejected`` (return the subject to its author with
   ``review.outcome_note``), a withdrawal ``on_cancelled``;
   Approvers hear of their step, and the author and everyone ``authors_of`` names hear of the
   outcome (reviews/notifications.py); a rejection's notice links to ``edit_url_of``, the page
   that should show the comments (``{% latest_rejection subject as rejected %}``);
   ``describe`` with ``content_queryset`` shows what is reviewed on the review form and in
   the inbox, in a constant number of queries per kind; ``watchers_of`` names further
   people told the outcome (they may still decide);
   steps carry their own check items (``ReviewChainStep.check_items``, R-REV-2), ticked or
   commented by each approver; ``margin_of`` feeds the price-authority steps
   (``condition_max_margin``, R-QUOTE-1) as ``amount_of`` feeds the amount thresholds;
5. when a subject under review changes, its service (holding the subject's lock) calls
   ``review_cancel_for_subject(actor=, subject=, reason=)``: a changed subject needs a new
   review (R-REV-5). ``reviews.selectors.reviews_for_subject(subject)`` lists its reviews.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation

from presales.core.money import Money
from reviews.choices import ReviewKind


@dataclass(frozen=True)
class SubjectType:
    """How the engine reaches one kind of subject; every callable takes the subject."""

    kind: str  # stable code, e.g. "initiation", "solution_version", "bid", "contract"
    model: str  # "app_label.ModelName" of the subject
    label: Any  # translated label (gettext_lazy)
    team_of: Callable[[Any], Any]  # subject -> Team (approver roles resolve within it)
    author_of: Callable[[Any], Any]  # subject -> User (may not approve their own subject)
    summary_of: Callable[[Any], str]  # subject -> one-line summary for the inbox
    url_of: Callable[[Any], str]  # subject -> its page
    on_approved: Callable[..., None]  # (subject=, review=, actor=) inside the transaction
    on_rejected: Callable[..., None]  # (subject=, review=, actor=) inside the transaction
    # subject -> the same subject re-read under its row locks, taken in its aggregate's lock
    # order; the engine calls it before it locks the review (see the module docstring).
    lock: Callable[[Any], Any]
    # For step conditions (R-REV-4): the subject's amount as recorded, a ``Money`` (amount,
    # currency, rate to CNY and its date); a plain Decimal is an amount in CNY. The engine
    # compares thresholds in CNY and refuses (400) a foreign amount without a rate.
    amount_of: Callable[[Any], Money | Decimal | None] | None = None
    visible_to: Callable[[Any], Any] | None = None  # user -> queryset of visible subjects
    # (subject=, review=, actor=) inside the transaction that cancels the review, e.g. to
    # put the subject back to draft when it changed (R-REV-5).
    on_cancelled: Callable[..., None] | None = None
    # subject -> ids of everyone who wrote or owns it (R-REV-5: none of them may decide on
    # its review, whoever pressed submit). The engine adds ``author_of`` and the submitter;
    # without this hook those two are the only ones left out.
    authors_of: Callable[[Any], Iterable[int]] | None = None
    # subject -> the page where its author changes it; a rejection's notification links
    # there (R-REV-5: the subject returns to its author with the comments).
    edit_url_of: Callable[[Any], str] | None = None
    # What a reviewer reads on the review form and in the inbox (R-REV-6): ``describe``
    # turns a subject into labelled texts and tables, rendered by the engine;
    # ``content_queryset`` returns the subjects' queryset with everything ``describe``
    # reads joined or prefetched, so the inbox fetches the subjects of each kind at once.
    describe: Callable[[Any], list[ContentItem]] | None = None
    content_queryset: Callable[[], Any] | None = None
    # R-QUOTE-1: the subject's margin in percent (e.g. Decimal("12.50")), for the
    # price-authority steps (``ReviewChainStep.condition_max_margin``: the step applies when
    # the margin is below it). None, or no hook: the margin is unknown and every such step
    # applies (fail safe: a price authority is never skipped for lack of data).
    margin_of: Callable[[Any], Decimal | None] | None = None
    # subject -> ids of further people told the outcome of its reviews (e.g. the
    # opportunity's sales owner of a solution version). Unlike ``authors_of`` they are not
    # kept from deciding; the author and ``authors_of`` are always told.
    watchers_of: Callable[[Any], Iterable[int]] | None = None


@dataclass(frozen=True)
class ContentTable:
    """Rows under column headings, e.g. a proposed team (person, role, responsibility)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class ContentItem:
    """One labelled part of a subject's content: a text, or a table."""

    label: str
    text: str = ""
    table: ContentTable | None = None


def content_to_json(items: list[ContentItem]) -> list[dict[str, Any]]:
    """``items`` as JSON (labels and cells as the text they read in the active language)."""
    return [
        {
            "label": str(item.label),
            "text": str(item.text),
            "table": (
                {
                    "columns": [str(c) for c in item.table.columns],
                    "rows": [[str(cell) for cell in row] for row in item.table.rows],
                }
                if item.table is not None
                else None
            ),
        }
        for item in items
    ]


def content_from_json(data: list[dict[str, Any]]) -> list[ContentItem]:
    return [
        ContentItem(
            label=row.get("label", ""),
            text=row.get("text", ""),
            table=(
                ContentTable(
                    columns=tuple(row["table"]["columns"]),
                    rows=tuple(tuple(r) for r in row["table"]["rows"]),
                )
                if row.get("table")
                else None
            ),
        )
        for row in data
    ]


def describe_in_every_language(subject_type: SubjectType, subject: Any) -> dict[str, list[dict[str, Any]]]:
    """The snapshot a review keeps of what was sent (R-REV-6): ``describe`` in each interface
    language, so that every reader later sees it in their own. Empty when the type
    describes nothing."""
    if subject_type.describe is None:
        return {}
    if subject_type.content_queryset is not None:
        subject = subject_type.content_queryset().get(pk=subject.pk)
    snapshot = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            snapshot[code] = content_to_json(list(subject_type.describe(subject)))
    return snapshot


_TYPES: dict[str, SubjectType] = {}


def register_subject_type(subject_type: SubjectType) -> None:
    """Register (or replace) the subject type of ``subject_type.kind``."""
    _TYPES[subject_type.kind] = subject_type


def unregister_subject_type(kind: str) -> None:
    """Forget a registration (tests register stand-in subject types and clean up after)."""
    _TYPES.pop(kind, None)


def get_subject_type(kind: str) -> SubjectType:
    return _TYPES[kind]


def find_subject_type(kind: str) -> SubjectType | None:
    return _TYPES.get(kind)


def kind_label(kind: str) -> str:
    """The translated label of a kind: the registration's, else the known kinds', else the code."""
    registered = _TYPES.get(kind)
    if registered is not None:
        return str(registered.label)
    if kind in ReviewKind.values:
        return str(ReviewKind(kind).label)
    return kind


def kind_choices() -> list[tuple[str, str]]:
    """Every kind a chain may be configured for: the known ones plus any registered."""
    codes = list(ReviewKind.values) + [k for k in _TYPES if k not in ReviewKind.values]
    return [(code, kind_label(code)) for code in codes]


def subject_types() -> list[SubjectType]:
    return list(_TYPES.values())
