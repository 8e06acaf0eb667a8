"""The opportunity's table of moves and its gates (R-OPP-2, R-OPP-3)."""

from __future__ import annotations

import pytest

from opportunities.choices import CLOSED_STAGES, OPEN_STAGES, CloseReason, InitiationStatus, Stage
from opportunities.models import Opportunity, StageChange
from opportunities.services import opportunity_move
from opportunities.transitions import MACHINE, add_guard, moves_to
from presales.core.errors import DomainError, GateRefused, NotAllowed
from presales.core.roles import Role
from tests.bids.contracts.factories import signed_contract
from tests.factories import OpportunityFactory, ProjectInitiationFactory, ProjectMemberFactory
from tests.proposals.needs.factories import confirmed_needs
from tests.proposals.solutions.factories import approved_solution

pytestmark = pytest.mark.django_db

# Every allowed move: (move, from, to, what it asks for, does it need an approved initiation / a tender)
ALLOWED = [
    ("start_needs_analysis", Stage.LEAD_INTAKE, Stage.NEEDS_ANALYSIS, {}),
    ("start_solution", Stage.NEEDS_ANALYSIS, Stage.SOLUTION, {}),
    ("submit_for_review", Stage.SOLUTION, Stage.REVIEW, {}),
    ("back_to_solution", Stage.REVIEW, Stage.SOLUTION, {"note": "Reviewers asked for a cheaper option."}),
    ("start_demo", Stage.REVIEW, Stage.DEMO, {}),
    ("start_bid", Stage.DEMO, Stage.BID, {}),
    ("skip_bid", Stage.DEMO, Stage.CONTRACT, {"bid_skip_reason": "Direct purchase after negotiation."}),
    ("start_contract", Stage.BID, Stage.CONTRACT, {}),
    ("handoff", Stage.CONTRACT, Stage.HANDOFF, {}),
    *[
        ("mark_lost", stage, Stage.LOST, {"reason": CloseReason.PRICE, "winning_competitor": "Acme"})
        for stage in sorted(OPEN_STAGES)
    ],
    *[
        ("abandon", stage, Stage.ABANDONED, {"reason": CloseReason.LOW_WIN_CHANCE})
        for stage in sorted(OPEN_STAGES)
    ],
]


def _opportunity(team, stage: str, *, has_tender: bool | None = None, **kwargs) -> Opportunity:
    """An opportunity of ``team`` standing in ``stage`` with an approved initiation."""
    if has_tender is None:
        has_tender = stage == Stage.BID
    if stage in (Stage.LOST, Stage.ABANDONED):
        kwargs.setdefault("close_reason", CloseReason.OTHER)
    opportunity = OpportunityFactory(team=team, stage=stage, has_tender=has_tender, **kwargs)
    ProjectInitiationFactory(opportunity=opportunity, status=InitiationStatus.APPROVED)
    approved_solution(opportunity)  # the review and demo gates (R-SOL-5)
    confirmed_needs(opportunity)  # R-NEED-4 (proposals) passes: these tests are about other gates
    if stage == Stage.CONTRACT:
        signed_contract(opportunity)  # the handoff gate (R-CON-3, bids)
    return opportunity


def _snapshot(opportunity: Opportunity) -> tuple:
    opportunity = Opportunity.objects.get(pk=opportunity.pk)
    return (
        opportunity.stage,
        opportunity.stage_entered_at,
        opportunity.close_reason,
        opportunity.bid_skip_reason,
        opportunity.history.count(),
        StageChange.objects.filter(opportunity=opportunity).count(),
    )


@pytest.mark.usefixtures("opportunities_only")  # the bids' gates: tests/bids/tenders
@pytest.mark.parametrize(("move", "source", "target", "context"), ALLOWED)
def test_every_allowed_move_changes_the_stage_and_records_it_R_OPP_3(
    engineer, team, move, source, target, context
):
    # given an opportunity of the engineer's team in the move's source stage
    opportunity = _opportunity(team, source, has_tender=(move == "start_bid"))
    history_before = opportunity.history.count()
    # when the engineer makes the move
    moved = opportunity_move(actor=engineer, opportunity=opportunity, move=move, **context)
    # then the stage changed and one stage-change row says who, when, from, to and why
    assert moved.stage == target
    change = StageChange.objects.get(opportunity=opportunity)
    assert (change.from_stage, change.to_stage, change.move, change.actor) == (source, target, move, engineer)
    assert change.note == context.get("note", "")
    assert change.at == moved.stage_entered_at
    assert moved.history.count() == history_before + 1
    assert moved.history.first().history_user == engineer


@pytest.mark.parametrize(
    ("move", "stage"),
    [
        (name, stage)
        for name, move in MACHINE.moves.items()
        for stage in Stage.values
        if stage not in move.sources
    ],
)
def test_every_move_outside_the_table_is_refused_and_changes_nothing_R_OPP_3(engineer, team, move, stage):
    # given an opportunity in a stage the move does not leave from
    opportunity = _opportunity(team, stage, has_tender=True)
    before = _snapshot(opportunity)
    # when the move is tried with everything it could ask for
    with pytest.raises(GateRefused) as refused:
        opportunity_move(
            actor=engineer,
            opportunity=opportunity,
            move=move,
            note="why",
            reason=CloseReason.PRICE,
            bid_skip_reason="no tender",
        )
    # then it is refused with the reason, and nothing changed
    assert "not possible from the current state" in refused.value.reasons[0]
    assert _snapshot(opportunity) == before


def test_closed_stages_are_the_end_of_the_road_R_OPP_3():
    # then no move leaves handoff, lost or abandoned (reopening is not in the table)
    for move in MACHINE.moves.values():
        assert not (move.sources & CLOSED_STAGES)


@pytest.mark.parametrize(
    ("initiation_status", "reason"),
    [
        (None, "Write the project initiation request and have it approved first."),
        (InitiationStatus.DRAFT, "The project initiation must be approved first (it is Draft)."),
        (InitiationStatus.IN_REVIEW, "The project initiation must be approved first (it is In review)."),
        (InitiationStatus.REJECTED, "The project initiation must be approved first (it is Rejected)."),
    ],
)
def test_needs_analysis_waits_for_the_approved_initiation_R_OPP_2(engineer, team, initiation_status, reason):
    # given an opportunity in lead intake whose initiation is missing or not approved
    opportunity = OpportunityFactory(team=team)
    if initiation_status:
        ProjectInitiationFactory(opportunity=opportunity, status=initiation_status)
    before = _snapshot(opportunity)
    # when needs analysis is started
    with pytest.raises(GateRefused) as refused:
        opportunity_move(actor=engineer, opportunity=opportunity, move="start_needs_analysis")
    # then the gate names the reason and nothing changed
    assert refused.value.reasons == [reason]
    assert refused.value.as_dict()["code"] == "gate_refused"
    assert _snapshot(opportunity) == before


@pytest.mark.usefixtures("opportunities_only")  # the bids' gates: tests/bids/tenders
@pytest.mark.parametrize(
    ("move", "has_tender", "context", "reasons"),
    [
        (
            "start_bid",
            False,
            {},
            ["This opportunity has no public tender: skip the bid stage and record why."],
        ),
        (
            "skip_bid",
            True,
            {"bid_skip_reason": "Negotiated directly."},
            ["This opportunity has a public tender: it must go through the bid stage."],
        ),
        ("skip_bid", False, {"bid_skip_reason": "  "}, ["Give the reason the bid stage is skipped."]),
        (
            "skip_bid",
            True,
            {},
            [
                "This opportunity has a public tender: it must go through the bid stage.",
                "Give the reason the bid stage is skipped.",
            ],
        ),
    ],
)
def test_bid_gates_R_OPP_3(engineer, team, move, has_tender, context, reasons):
    """The bid stage is for tenders; without one it is skipped explicitly with a reason."""
    # given an opportunity in demo
    opportunity = _opportunity(team, Stage.DEMO, has_tender=has_tender)
    before = _snapshot(opportunity)
    # when the bid is started or skipped
    with pytest.raises(GateRefused) as refused:
        opportunity_move(actor=engineer, opportunity=opportunity, move=move, **context)
    # then every gate that refuses says why, and nothing changed
    assert refused.value.reasons == reasons
    assert _snapshot(opportunity) == before


def test_skipping_the_bid_records_the_reason_R_OPP_3(engineer, team):
    # given a deal without a tender in demo
    opportunity = _opportunity(team, Stage.DEMO, has_tender=False)
    # when the bid is skipped with the reason
    moved = opportunity_move(
        actor=engineer,
        opportunity=opportunity,
        move="skip_bid",
        bid_skip_reason="Direct purchase, no tender.",
    )
    # then it is in contract and the reason is kept on the opportunity and the stage change
    assert moved.stage == Stage.CONTRACT
    assert moved.bid_skip_reason == "Direct purchase, no tender."
    assert StageChange.objects.get(opportunity=moved).details == {
        "bid_skip_reason": "Direct purchase, no tender."
    }


def test_moving_back_needs_a_note_R_OPP_3(engineer, team):
    # given an opportunity in review
    opportunity = _opportunity(team, Stage.REVIEW)
    before = _snapshot(opportunity)
    # when it is sent back to solution without saying why
    with pytest.raises(GateRefused) as refused:
        opportunity_move(actor=engineer, opportunity=opportunity, move="back_to_solution", note=" ")
    # then it is refused and nothing changed
    assert refused.value.reasons == ["Say why the opportunity goes back to the solution stage."]
    assert _snapshot(opportunity) == before


@pytest.mark.parametrize("move", ["mark_lost", "abandon"])
@pytest.mark.parametrize(
    ("context", "reasons"),
    [
        ({}, ["Choose the reason the opportunity is closed."]),
        ({"reason": "bad-code"}, ["Choose the reason the opportunity is closed."]),
        ({"reason": CloseReason.OTHER}, ["Describe the reason in the note."]),
    ],
)
def test_closing_needs_a_reason_R_OPP_3(engineer, team, move, context, reasons):
    # given an open opportunity
    opportunity = _opportunity(team, Stage.SOLUTION)
    before = _snapshot(opportunity)
    # when it is closed without a (described) reason
    with pytest.raises(GateRefused) as refused:
        opportunity_move(actor=engineer, opportunity=opportunity, move=move, **context)
    # then it is refused and nothing changed
    assert refused.value.reasons == reasons
    assert _snapshot(opportunity) == before


def test_lost_records_reason_competitor_and_close_time_R_OPP_3(engineer, team):
    # given an opportunity in bid
    opportunity = _opportunity(team, Stage.BID)
    # when it is marked lost to a competitor
    moved = opportunity_move(
        actor=engineer,
        opportunity=opportunity,
        move="mark_lost",
        note="Undercut by 15 %.",
        reason=CloseReason.PRICE,
        winning_competitor="Acme Systems",
    )
    # then the reason, the note, the winner and the close time are kept
    assert (moved.stage, moved.close_reason, moved.close_note, moved.winning_competitor) == (
        Stage.LOST,
        CloseReason.PRICE,
        "Undercut by 15 %.",
        "Acme Systems",
    )
    assert moved.closed_at == moved.stage_entered_at
    assert StageChange.objects.get(opportunity=moved).details == {
        "reason": "price",
        "winning_competitor": "Acme Systems",
    }


def test_handoff_closes_the_won_opportunity(engineer, team):
    opportunity = _opportunity(team, Stage.CONTRACT)
    moved = opportunity_move(actor=engineer, opportunity=opportunity, move="handoff")
    assert moved.stage == Stage.HANDOFF
    assert moved.closed_at is not None


# --- who may move ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("engineer", True),
        ("sales_rep", True),
        ("manager", True),
        ("other_engineer", False),
        ("no_role_user", False),
        ("department_head_in_team", False),
        ("general_manager", False),
        ("sales_owner_elsewhere", True),
        ("project_member_elsewhere", True),
    ],
)
def test_move_permission_is_checked_inside_the_service_R_OPP_3(
    request, make_user, team, other_team, who, allowed
):
    """Owners, writers of the team, its manager and the project team may move it; nobody else."""
    # given an opportunity of the team
    opportunity = _opportunity(team, Stage.NEEDS_ANALYSIS)
    if who == "department_head_in_team":
        actor = make_user(Role.DEPARTMENT_HEAD, team=team)
    elif who == "sales_owner_elsewhere":
        actor = make_user(Role.SALES_REP, team=other_team)
        Opportunity.objects.filter(pk=opportunity.pk).update(sales_owner=actor)
    elif who == "project_member_elsewhere":
        actor = make_user(Role.PRESALES_ENGINEER, team=other_team)
        ProjectMemberFactory(opportunity=opportunity, user=actor)
    else:
        actor = request.getfixturevalue(who)
    before = _snapshot(opportunity)
    # when they start the solution
    if allowed:
        assert (
            opportunity_move(actor=actor, opportunity=opportunity, move="start_solution").stage
            == Stage.SOLUTION
        )
    else:
        with pytest.raises(NotAllowed):
            opportunity_move(actor=actor, opportunity=opportunity, move="start_solution")
        assert _snapshot(opportunity) == before


def test_unknown_move_and_unknown_input_are_refused(engineer, team):
    opportunity = _opportunity(team, Stage.SOLUTION)
    with pytest.raises(NotAllowed):
        opportunity_move(actor=engineer, opportunity=opportunity, move="teleport")
    with pytest.raises(DomainError) as bad:
        opportunity_move(actor=engineer, opportunity=opportunity, move="submit_for_review", stage="handoff")
    assert bad.value.fields == {"stage": ["This field cannot be set here."]}
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.SOLUTION


# --- follow-ups and options --------------------------------------------------------------


def test_options_show_allowed_moves_and_why_the_others_are_blocked_R_OPP_3(engineer, other_engineer, team):
    # given an opportunity in lead intake without an initiation
    opportunity = OpportunityFactory(team=team)
    # when its options are listed for a team member
    options = {o.move.name: o.reasons for o in MACHINE.options(opportunity, engineer)}
    # then needs analysis is blocked with the gate's reason; closing is offered (its form asks why)
    assert options == {
        "start_needs_analysis": ["Write the project initiation request and have it approved first."],
        "mark_lost": [],
        "abandon": [],
    }
    # and someone who may not move it is offered nothing
    assert MACHINE.options(opportunity, other_engineer) == []


def test_moves_to_finds_the_move_for_a_board_column():
    opportunity = Opportunity(stage=Stage.DEMO)
    assert [m.name for m in moves_to(Stage.CONTRACT, opportunity)] == ["skip_bid"]
    assert [m.name for m in moves_to(Stage.LOST, opportunity)] == ["mark_lost"]
    assert moves_to(Stage.HANDOFF, opportunity) == []


def test_later_issues_append_gates_to_a_move(engineer, team, monkeypatch):
    """The guard list per move is open: e.g. the needs issue adds R-NEED-4 to start_solution."""
    monkeypatch.setitem(MACHINE.moves, "start_solution", MACHINE.moves["start_solution"])

    def needs_confirmed(opportunity, actor, **context):
        return ["Confirm the rigid requirements first."]

    # given an appended gate
    add_guard("start_solution", needs_confirmed)
    add_guard("start_solution", needs_confirmed)
    opportunity = _opportunity(team, Stage.NEEDS_ANALYSIS)
    # then the move applies it (once), in the service and in the options
    with pytest.raises(GateRefused) as refused:
        opportunity_move(actor=engineer, opportunity=opportunity, move="start_solution")
    assert refused.value.reasons == ["Confirm the rigid requirements first."]
    option = next(o for o in MACHINE.options(opportunity, engineer) if o.move.name == "start_solution")
    assert option.reasons == ["Confirm the rigid requirements first."]
