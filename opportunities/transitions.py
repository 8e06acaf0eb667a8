"""The opportunity lifecycle as one table of allowed moves, and its gates (R-OPP-2, R-OPP-3).

lead_intake ─▶ needs_analysis ─▶ solution ─▶ review ─▶ demo ─▶ bid ─▶ contract ─▶ handoff
                                    ▲          │         │              ▲
                                    └──────────┘         └──skip bid────┘
                 (back to solution)        (no tender, reason recorded)
Any open stage (lead intake … contract) ─▶ lost | abandoned (reason required).

Gates are named guard functions returning the reasons a move is refused (empty = allowed).
Later issues append their gates to a move with :func:`add_guard` (e.g. the needs
confirmation gate on ``start_solution``), so this table stays the one place moves live.
Guards read only the opportunity and what ``OpportunityQuerySet.for_cards`` fetched with it,
so the board can show every card's options without a query per card.
"""

from __future__ import annotations

from dataclasses import replace

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opportunities.choices import OPEN_STAGES, CloseReason, InitiationStatus, Stage
from opportunities.permissions import can_work_initiation, can_work_opportunity
from presales.core.statemachine import Guard, Machine, Move

# --- gates -------------------------------------------------------------------------------


def initiation_approved(opportunity, actor, **context) -> list[str]:
    """R-OPP-2: needs analysis starts only once the project initiation is approved."""
    initiation = opportunity.initiation_or_none
    if initiation is None:
        return [_("Write the project initiation request and have it approved first.")]
    if initiation.status != InitiationStatus.APPROVED:
        return [
            _("The project initiation must be approved first (it is %(status)s).")
            % {"status": initiation.get_status_display()}
        ]
    return []


def initiation_not_reopened(opportunity, actor, **context) -> list[str]:
    """R-REV-5: an approved initiation whose reviewed facts changed (the amount, say) went
    back to draft; the opportunity keeps its stage but moves forward only once the request
    is approved again. Closing it (lost, abandoned) or going back stays possible."""
    initiation = opportunity.initiation_or_none
    if initiation is not None and initiation.was_reopened:
        return [
            _("The project initiation must be approved again after its facts changed (it is %(status)s).")
            % {"status": initiation.get_status_display()}
        ]
    return []


def has_tender(opportunity, actor, **context) -> list[str]:
    """The bid stage is for deals bought through a public tender."""
    if not opportunity.has_tender:
        return [_("This opportunity has no public tender: skip the bid stage and record why.")]
    return []


def has_no_tender(opportunity, actor, **context) -> list[str]:
    """Only a deal without a tender may skip the bid stage."""
    if opportunity.has_tender:
        return [_("This opportunity has a public tender: it must go through the bid stage.")]
    return []


def bid_skip_reason_given(opportunity, actor, bid_skip_reason: str = "", **context) -> list[str]:
    """The reason the bid stage is skipped is recorded (quote and negotiation instead)."""
    if not str(bid_skip_reason or "").strip():
        return [_("Give the reason the bid stage is skipped.")]
    return []


def note_given(opportunity, actor, note: str = "", **context) -> list[str]:
    """Moving back says why, so the team knows what to rework."""
    if not str(note or "").strip():
        return [_("Say why the opportunity goes back to the solution stage.")]
    return []


def close_reason_given(opportunity, actor, reason: str = "", note: str = "", **context) -> list[str]:
    """Lost and abandoned opportunities carry a reason; "other" needs it described."""
    if reason not in CloseReason.values:
        return [_("Choose the reason the opportunity is closed.")]
    if reason == CloseReason.OTHER and not str(note or "").strip():
        return [_("Describe the reason in the note.")]
    return []


# --- the table ---------------------------------------------------------------------------

CLOSE_FIELDS = ("reason", "winning_competitor")

MACHINE = Machine(
    [
        Move(
            "start_needs_analysis",
            frozenset({Stage.LEAD_INTAKE}),
            Stage.NEEDS_ANALYSIS,
            gettext_lazy("Start needs analysis"),
            guards=(initiation_approved,),
            permission=can_work_opportunity,
        ),
        Move(
            "start_solution",
            frozenset({Stage.NEEDS_ANALYSIS}),
            Stage.SOLUTION,
            gettext_lazy("Start the solution"),
            guards=(initiation_not_reopened,),
            permission=can_work_opportunity,
        ),
        Move(
            "submit_for_review",
            frozenset({Stage.SOLUTION}),
            Stage.REVIEW,
            gettext_lazy("Send to review"),
            guards=(initiation_not_reopened,),
            permission=can_work_opportunity,
        ),
        Move(
            "back_to_solution",
            frozenset({Stage.REVIEW}),
            Stage.SOLUTION,
            gettext_lazy("Back to solution"),
            input_guards=(note_given,),
            permission=can_work_opportunity,
            style="outline-secondary",
            extra={"note_required": True},
        ),
        Move(
            "start_demo",
            frozenset({Stage.REVIEW}),
            Stage.DEMO,
            gettext_lazy("Start the demo"),
            guards=(initiation_not_reopened,),
            permission=can_work_opportunity,
        ),
        Move(
            "start_bid",
            frozenset({Stage.DEMO}),
            Stage.BID,
            gettext_lazy("Start the bid"),
            guards=(has_tender, initiation_not_reopened),
            permission=can_work_opportunity,
        ),
        Move(
            "skip_bid",
            frozenset({Stage.DEMO}),
            Stage.CONTRACT,
            gettext_lazy("Skip the bid (no tender)"),
            guards=(has_no_tender, initiation_not_reopened),
            input_guards=(bid_skip_reason_given,),
            input_fields=("bid_skip_reason",),
            permission=can_work_opportunity,
            style="outline-primary",
        ),
        Move(
            "start_contract",
            frozenset({Stage.BID}),
            Stage.CONTRACT,
            gettext_lazy("Start the contract"),
            guards=(initiation_not_reopened,),
            permission=can_work_opportunity,
        ),
        Move(
            "handoff",
            frozenset({Stage.CONTRACT}),
            Stage.HANDOFF,
            gettext_lazy("Hand off"),
            guards=(initiation_not_reopened,),
            permission=can_work_opportunity,
            style="success",
        ),
        Move(
            "mark_lost",
            OPEN_STAGES,
            Stage.LOST,
            gettext_lazy("Mark as lost"),
            input_guards=(close_reason_given,),
            input_fields=CLOSE_FIELDS,
            permission=can_work_opportunity,
            style="outline-danger",
        ),
        Move(
            "abandon",
            OPEN_STAGES,
            Stage.ABANDONED,
            gettext_lazy("Abandon"),
            input_guards=(close_reason_given,),
            input_fields=CLOSE_FIELDS,
            permission=can_work_opportunity,
            style="outline-danger",
        ),
    ],
    state_field="stage",
)


def add_guard(move_name: str, guard: Guard) -> None:
    """Append a gate to a move (idempotent). Apps call it from ``AppConfig.ready``."""
    move = MACHINE.get(move_name)
    if guard not in move.guards:
        MACHINE.moves[move_name] = replace(move, guards=(*move.guards, guard))


def moves_to(stage: str, opportunity) -> list[Move]:
    """Moves leading from the opportunity's stage to ``stage`` (drag and drop on the board)."""
    return [m for m in MACHINE.moves.values() if m.target == stage and opportunity.stage in m.sources]


# --- the initiation request (R-OPP-2) ----------------------------------------------------


def opportunity_open(initiation, actor, **context) -> list[str]:
    if not initiation.opportunity.is_open:
        return [_("The opportunity is closed.")]
    return []


def changed_since_rejection(initiation, actor, **context) -> list[str]:
    """R-REV-5: a rejected request goes back to review only after it has been changed."""
    if initiation.status == InitiationStatus.REJECTED and not initiation.changed_since_review:
        return [_("Revise the request after the rejection before sending it to review again.")]
    return []


def presales_owner_named(initiation, actor, **context) -> list[str]:
    """The team the approval forms has a named presales owner (R-OPP-2, R-CUST-5)."""
    if initiation.opportunity.presales_owner_id is None:
        return [_("Name the opportunity's presales owner before sending the request to review.")]
    return []


def withdraw_reason_given(initiation, actor, reason: str = "", **context) -> list[str]:
    """A request taken back from review says why (the review is cancelled with it, R-REV-5)."""
    if not str(reason or "").strip():
        return [_("Say why the request is withdrawn.")]
    return []


# draft ──submit──▶ in_review ──approve──▶ approved
#   ▲  rejected ──submit──┘ │ └──reject──▶ rejected     │
#   ├──withdraw / back_to_draft──┘                      │
#   └──────────────reopen (a reviewed fact changed)─────┘
INITIATION_MACHINE = Machine(
    [
        Move(
            "submit",
            frozenset({InitiationStatus.DRAFT, InitiationStatus.REJECTED}),
            InitiationStatus.IN_REVIEW,
            gettext_lazy("Send to review"),
            guards=(opportunity_open, changed_since_rejection, presales_owner_named),
            permission=can_work_initiation,
        ),
        Move(
            "withdraw",
            frozenset({InitiationStatus.IN_REVIEW}),
            InitiationStatus.DRAFT,
            gettext_lazy("Withdraw from review"),
            input_guards=(withdraw_reason_given,),
            input_fields=("reason",),
            permission=can_work_initiation,
            style="outline-secondary",
        ),
        # Decided by the review engine: who may approve, reject or cancel a review is the
        # review chain's business (reviews.services), so these moves carry no permission.
        Move(
            "approve",
            frozenset({InitiationStatus.IN_REVIEW}),
            InitiationStatus.APPROVED,
            gettext_lazy("Approve"),
        ),
        Move(
            "reject",
            frozenset({InitiationStatus.IN_REVIEW}),
            InitiationStatus.REJECTED,
            gettext_lazy("Reject"),
        ),
        # The review was cancelled on its own page, or because the opportunity closed.
        Move(
            "back_to_draft",
            frozenset({InitiationStatus.IN_REVIEW}),
            InitiationStatus.DRAFT,
            gettext_lazy("Back to draft"),
        ),
        # R-REV-5: a reviewed fact of the opportunity (amount, currency, rate) changed after
        # the approval; the request must be reviewed again (opportunity_update moves it).
        Move(
            "reopen",
            frozenset({InitiationStatus.APPROVED}),
            InitiationStatus.DRAFT,
            gettext_lazy("Reopen for a new review"),
        ),
    ]
)
