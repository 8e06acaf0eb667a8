"""Blocked moves say why, on every route (issue 10 "Stage gates", R-OPP-3): a gate added with
``opportunities.transitions.add_guard`` reading a card fact (``register_card_fact``) refuses
the move in the service, the API (409 with ``reasons``), the board's drag and menus and the
move form, for an admin too; the board shows the reasons without a query per card; and
"back to solution" keeps the history (stage changes and reviews)."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opportunities import models as opportunity_models
from opportunities.choices import InitiationStatus, Stage
from opportunities.models import Opportunity, ProjectMember, StageChange, card_fact, register_card_fact
from opportunities.services import opportunity_move
from opportunities.transitions import MACHINE, add_guard
from presales.core.errors import GateRefused
from presales.core.roles import Role
from reviews.models import Review, ReviewTask
from tests.factories import (
    OpportunityFactory,
    ProjectInitiationFactory,
    ProjectMemberFactory,
    ReviewChainFactory,
    UserFactory,
)

# The opportunities' registries on their own: the gates and sections of proposals are
# tested in tests/proposals.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("opportunities_only")]

REASON = "Put a solution architect on the project team first."
FACT = "desk_test_has_architect"


def _architect_exists():
    return Exists(ProjectMember.objects.filter(opportunity=OuterRef("pk"), role="solution_architect"))


@pytest.fixture
def architect_gate():
    """A test gate on start_solution, reading a card fact; ``computed`` counts the times the
    guard had to compute the fact (a row not read through ``for_cards``). Restored after."""
    saved_moves = dict(MACHINE.moves)
    saved_facts = dict(opportunity_models._CARD_FACTS)
    computed = []

    def architect_named(opportunity, actor, **context):
        def compute():
            computed.append(opportunity.pk)
            return ProjectMember.objects.filter(opportunity=opportunity, role="solution_architect").exists()

        return [] if card_fact(opportunity, FACT, compute) else [REASON]

    register_card_fact(FACT, _architect_exists)
    add_guard("start_solution", architect_named)
    yield computed
    MACHINE.moves.clear()
    MACHINE.moves.update(saved_moves)
    opportunity_models._CARD_FACTS.clear()
    opportunity_models._CARD_FACTS.update(saved_facts)


def _in_needs_analysis(team, **kwargs):
    opportunity = OpportunityFactory(team=team, stage=Stage.NEEDS_ANALYSIS, **kwargs)
    ProjectInitiationFactory(opportunity=opportunity, status=InitiationStatus.APPROVED)
    return opportunity


def test_issue_10_added_gate_refuses_in_the_service_even_for_an_admin_R_OPP_3(architect_gate, engineer, team):
    opportunity = _in_needs_analysis(team)
    admin = UserFactory(roles=[Role.ADMIN], team=team)
    for actor in (engineer, admin):
        with pytest.raises(GateRefused) as refused:
            opportunity_move(actor=actor, opportunity=opportunity, move="start_solution")
        assert REASON in refused.value.reasons
    # the service read the row under its lock, unannotated: it computed the fact fresh
    assert architect_gate
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.NEEDS_ANALYSIS
    assert not StageChange.objects.exists()
    # once the fact holds, the move goes through
    ProjectMemberFactory(opportunity=opportunity, role="solution_architect")
    opportunity_move(actor=engineer, opportunity=opportunity, move="start_solution")
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.SOLUTION


def test_issue_10_added_gate_answers_409_with_reasons_in_the_api_R_OPP_3(
    architect_gate, client_for, engineer, team
):
    opportunity = _in_needs_analysis(team)
    admin = UserFactory(roles=[Role.ADMIN], team=team)
    for actor in (engineer, admin):
        client = client_for(actor)
        response = client.post(
            reverse("opportunity-move", args=[opportunity.pk]), {"move": "start_solution"}, format="json"
        )
        assert response.status_code == 409, response.content
        body = response.json()
        assert body["code"] == "gate_refused"
        assert REASON in body["reasons"]
        # the options say it before the move is tried, in the moves list and the desk summary
        options = client.get(reverse("opportunity-moves", args=[opportunity.pk])).json()
        blocked = next(o for o in options if o["move"] == "start_solution")
        assert (blocked["allowed"], blocked["reasons"]) == (False, [REASON])
        desk = client.get(reverse("opportunity-desk", args=[opportunity.pk])).json()
        assert next(o for o in desk["options"] if o["move"] == "start_solution")["reasons"] == [REASON]
    # a PATCH of the stage is no way round: the stage is read-only
    response = client_for(engineer).patch(
        reverse("opportunity-detail", args=[opportunity.pk]), {"stage": Stage.SOLUTION}, format="json"
    )
    assert response.status_code == 400
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.NEEDS_ANALYSIS


def test_issue_10_board_drag_and_move_form_refuse_with_the_reason_R_OPP_3(
    architect_gate, client, engineer, team
):
    opportunity = _in_needs_analysis(team)
    client.force_login(engineer)
    url = reverse("opportunities:move", args=[opportunity.pk, "start_solution"])
    # dropped on the solution column: the board comes back with the reason, nothing moved
    response = client.post(url, {"board": "1", "filters": "", "note": ""}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert 'data-testid="board-reasons"' in page and REASON in page
    # the move form says why before and after posting
    assert REASON in client.get(url).content.decode()
    response = client.post(url, {})
    assert response.status_code == 409 and REASON in response.content.decode()
    # the desk shows the blocked move disabled with the reason
    desk = client.get(opportunity.get_absolute_url()).content.decode()
    assert REASON in desk.split('data-testid="reasons-start_solution"')[1].split("</ul>")[0]
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.NEEDS_ANALYSIS
    assert not StageChange.objects.exists()


def test_issue_10_admin_site_cannot_change_the_stage(architect_gate, client, team):
    opportunity = _in_needs_analysis(team)
    staff = UserFactory(roles=[Role.ADMIN], team=team, is_staff=True, is_superuser=True)
    client.force_login(staff)
    url = reverse("admin:opportunities_opportunity_change", args=[opportunity.pk])
    response = client.post(url, {"stage": Stage.SOLUTION, "title": "Bypass"})
    assert response.status_code == 403
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.NEEDS_ANALYSIS


def test_issue_10_board_shows_the_gates_reasons_without_a_query_per_card(
    architect_gate, client, engineer, team
):
    client.force_login(engineer)
    url = reverse("opportunities:board")

    def add_cards(n):
        for i in range(n):
            opportunity = _in_needs_analysis(team)
            if i % 2:
                ProjectMemberFactory(opportunity=opportunity, role="solution_architect")

    add_cards(2)
    client.get(url)
    with CaptureQueriesContext(connection) as two:
        page = client.get(url).content.decode()
    add_cards(8)
    with CaptureQueriesContext(connection) as ten:
        page = client.get(url).content.decode()
    assert len(ten) == len(two)
    # every card without an architect shows the reason in its menu (text and tooltip) and
    # in its drag data; those with one offer the move
    blocked = [
        o for o in Opportunity.objects.all() if not o.members.filter(role="solution_architect").exists()
    ]
    assert len(blocked) == 5
    for opportunity in blocked:
        reasons = page.split(f'data-testid="reasons-{opportunity.pk}-start_solution"')[1].split("</ul>")[0]
        assert REASON in reasons
    assert page.count(f'title="{REASON}"') == 5
    assert page.count(REASON) >= 15  # menu text, tooltip, drag data (JSON) per blocked card
    # the board read the facts from its annotation: the guard never computed one
    assert architect_gate == []


def test_issue_10_back_to_solution_keeps_the_stage_and_review_history_R_OPP_3(client, engineer, team):
    opportunity = OpportunityFactory(team=team, stage=Stage.SOLUTION)
    ProjectInitiationFactory(opportunity=opportunity, status=InitiationStatus.APPROVED)
    chain = ReviewChainFactory()
    # a finished review of the opportunity's request (the review history to keep)
    review = Review.objects.create(
        content_type=ContentType.objects.get_for_model(opportunity.initiation),
        object_id=opportunity.initiation.pk,
        kind="initiation",
        chain=chain,
        author=engineer,
        started_by=engineer,
        team=team,
        subject_summary="Initiation",
        status="approved",
        finished_at=timezone.now(),
    )
    ReviewTask.objects.create(
        review=review,
        step_order=1,
        step_name="Step",
        mode="all",
        approver=engineer,
        state="approved",
        decided_at=timezone.now(),
    )
    opportunity_move(actor=engineer, opportunity=opportunity, move="submit_for_review")
    with pytest.raises(GateRefused):
        opportunity_move(actor=engineer, opportunity=opportunity, move="back_to_solution", note="")
    opportunity_move(actor=engineer, opportunity=opportunity, move="back_to_solution", note="Margin too low")
    opportunity_move(actor=engineer, opportunity=opportunity, move="submit_for_review")
    # every change is recorded, with who and why, newest first
    changes = list(StageChange.objects.filter(opportunity=opportunity).order_by("at", "id"))
    assert [(c.from_stage, c.to_stage) for c in changes] == [
        (Stage.SOLUTION, Stage.REVIEW),
        (Stage.REVIEW, Stage.SOLUTION),
        (Stage.SOLUTION, Stage.REVIEW),
    ]
    assert changes[1].note == "Margin too low" and changes[1].actor == engineer
    # and the reviews are kept
    assert Review.objects.filter(pk=review.pk, status="approved").exists()
    client.force_login(engineer)
    page = client.get(opportunity.get_absolute_url()).content.decode()
    history = page.split('<section id="history"')[1].split("</section>")[0]
    assert "Margin too low" in history
    assert history.count("<tr") >= 4  # header and the three changes
    reviews = page.split('<section id="reviews"')[1].split("</section>")[0]
    assert f'data-review="{review.pk}"' in reviews
