"""Closing an opportunity stops the work of proposals on it (R-OPP-3 with R-SOL-1, R-SOL-3,
R-SOL-5, R-DEMO-1..3): through ``opportunities.hooks.register_on_closed``, the close move
withdraws the solution versions' reviews, cancels the writers' and revision deadlines, calls
off the demos not yet held, withdraws and cancels the trial requests not yet approved; an
approved loan keeps its return timer (the equipment comes back whatever the deal became)."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from opportunities import hooks
from opportunities.choices import CloseReason, Stage
from opportunities.models import Opportunity, StageChange
from opportunities.services import opportunity_move
from presales.core.roles import Role
from presales.sla.defaults import DEMO_FEEDBACK, SOLUTION_REVISION
from presales.sla.models import Timer
from proposals.choices import VersionStatus
from proposals.demos import services as demos
from proposals.demos.choices import DemoStatus, TrialStatus
from proposals.demos.timers import TRIAL_RETURN
from proposals.models import Demo, SolutionVersion, TrialRequest
from proposals.solutions import services as solutions
from proposals.solutions.timers import SECTION_DUE
from tests.factories import OpportunityFactory
from tests.proposals.world import review_of, work_in_progress

pytestmark = pytest.mark.django_db


def _timer(kind, subject) -> Timer:
    return Timer.objects.get(
        kind=kind, subject_type=ContentType.objects.get_for_model(type(subject)), subject_id=subject.pk
    )


@pytest.fixture
def world(team, engineer, sales_rep, manager, make_user):
    opportunity = OpportunityFactory(
        team=team, presales_owner=engineer, sales_owner=sales_rep, stage=Stage.DEMO, amount=1_000_000
    )
    writer = make_user(Role.PRESALES_ENGINEER, team=team)
    return work_in_progress(opportunity, engineer=engineer, manager=manager, writer=writer)


def test_the_close_hooks_of_proposals_are_registered_R_OPP_3():
    registered = hooks.on_closed_hooks()
    assert solutions.versions_on_opportunity_closed in registered
    assert demos.demos_on_opportunity_closed in registered


@pytest.mark.parametrize("move", ["mark_lost", "abandon"])
def test_closing_the_opportunity_stops_its_solutions_demos_and_trials_R_OPP_3_R_SOL_5_R_DEMO_3(
    world, sales_rep, move
):
    w = world
    assert review_of(w["in_review"]).status == "in_progress"
    # when the sales rep closes the opportunity (any route ends in this service)
    opportunity_move(actor=sales_rep, opportunity=w["opportunity"], move=move, reason=CloseReason.BUDGET)

    # the version in review is withdrawn, its review cancelled with the reason
    assert SolutionVersion.objects.get(pk=w["in_review"].pk).status == VersionStatus.WITHDRAWN
    review = review_of(w["in_review"])
    assert review.status == "cancelled"
    # the writers' and the revision deadlines are no longer awaited
    assert _timer(SECTION_DUE, w["written"]).state == "cancelled"
    assert _timer(SOLUTION_REVISION, w["other"]).state == "cancelled"
    # demos not held are called off with the reason; the scheduled one's invitation withdrawn
    for key in ("draft_demo", "scheduled"):
        demo = Demo.objects.get(pk=w[key].pk)
        assert demo.status == DemoStatus.CANCELLED
        change = demo.status_changes.latest("id")
        assert change.move == "cancel" and "opportunity was closed" in change.note
        assert change.actor == sales_rep
    assert Demo.objects.get(pk=w["scheduled"].pk).sequence == 1
    assert Demo.objects.get(pk=w["draft_demo"].pk).sequence == 0
    # the demo held stays done, its feedback is no longer awaited
    assert Demo.objects.get(pk=w["held"].pk).status == DemoStatus.DONE
    assert _timer(DEMO_FEEDBACK, w["held"]).state == "cancelled"
    # the trial under review is withdrawn from its review, then cancelled; so is the draft
    assert review_of(w["trial_in_review"]).status == "cancelled"
    for key in ("trial_in_review", "trial_draft"):
        assert TrialRequest.objects.get(pk=w[key].pk).status == TrialStatus.CANCELLED
    moves = list(
        TrialRequest.objects.get(pk=w["trial_in_review"].pk)
        .status_changes.order_by("at", "id")
        .values_list("move", flat=True)
    )
    assert moves == ["submit", "withdraw", "cancel"]
    # the lent equipment still has to come back
    assert TrialRequest.objects.get(pk=w["lent"].pk).status == TrialStatus.APPROVED
    assert _timer(TRIAL_RETURN, w["lent"]).state == "open"


def test_the_scheduled_demos_attendees_are_told_it_is_called_off_R_DEMO_1(world, sales_rep, engineer):
    from presales.sla.models import Notification

    before = set(Notification.objects.filter(recipient=engineer).values_list("pk", flat=True))
    opportunity_move(
        actor=sales_rep, opportunity=world["opportunity"], move="mark_lost", reason=CloseReason.PRICE
    )
    told = Notification.objects.filter(recipient=engineer).exclude(pk__in=before)
    assert any(world["scheduled"].title in n.title for n in told)


def test_a_failing_close_hook_rolls_the_close_back(world, sales_rep):
    """The hooks run inside the close's transaction: all of it holds, or none of it."""

    def refuse(*, opportunity, actor):
        raise RuntimeError("boom")

    hooks.register_on_closed(refuse)
    try:
        with pytest.raises(RuntimeError):
            opportunity_move(
                actor=sales_rep, opportunity=world["opportunity"], move="mark_lost", reason=CloseReason.PRICE
            )
    finally:
        hooks._ON_CLOSED.remove(refuse)
    assert Opportunity.objects.get(pk=world["opportunity"].pk).stage == Stage.DEMO
    assert not StageChange.objects.filter(opportunity=world["opportunity"], to_stage=Stage.LOST).exists()
    assert SolutionVersion.objects.get(pk=world["in_review"].pk).status == VersionStatus.IN_REVIEW
    assert Demo.objects.get(pk=world["scheduled"].pk).status == DemoStatus.SCHEDULED


def test_moving_on_without_closing_leaves_the_work_running(world, engineer):
    """Only lost and abandoned run the hooks: going back to the solution stage keeps it all."""
    Opportunity.objects.filter(pk=world["opportunity"].pk).update(stage=Stage.REVIEW)
    opportunity_move(actor=engineer, opportunity=world["opportunity"], move="back_to_solution", note="Rework")
    assert Opportunity.objects.get(pk=world["opportunity"].pk).stage == Stage.SOLUTION
    assert SolutionVersion.objects.get(pk=world["in_review"].pk).status == VersionStatus.IN_REVIEW
    assert Demo.objects.get(pk=world["scheduled"].pk).status == DemoStatus.SCHEDULED
