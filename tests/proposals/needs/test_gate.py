"""R-NEED-4: the solution stage opens only when every rigid requirement is confirmed and
none is "not feasible" without an agreed alternative, on every route: the service, the API
move, the board's drag, the admin; the board shows why without a query per card."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opportunities.models import Opportunity
from opportunities.services import opportunity_move
from opportunities.transitions import MACHINE
from presales.core.errors import GateRefused
from proposals.needs import services
from tests.factories import OpportunityFactory
from tests.proposals.needs.conftest import FLEXIBLE, RIGID

pytestmark = pytest.mark.django_db


def confirm(engineer, requirement):
    services.requirement_confirmation_record(
        actor=engineer,
        requirement=requirement,
        method="email",
        confirmer_name="王經理",
        evidence=SimpleUploadedFile("mail.pdf", b"%PDF-1.4 ok"),
    )


def reasons(opportunity, user):
    option = next(o for o in MACHINE.options(opportunity, user) if o.move.name == "start_solution")
    return option.reasons


def test_r_need_4_no_requirement_blocks(engineer, opportunity):
    with pytest.raises(GateRefused) as exc:
        opportunity_move(actor=engineer, opportunity=opportunity, move="start_solution")
    assert any("there is none" in r for r in exc.value.reasons)


def test_r_need_4_unconfirmed_rigid_and_infeasible_block_with_named_reasons(engineer, opportunity):
    rigid = services.requirement_create(actor=engineer, opportunity=opportunity, data=RIGID)
    services.requirement_create(actor=engineer, opportunity=opportunity, data=FLEXIBLE)  # REQ-002, flexible
    infeasible = services.requirement_create(
        actor=engineer,
        opportunity=opportunity,
        data={**FLEXIBLE, "feasibility": "not_feasible", "feasibility_note": "no such sensor"},
    )
    with pytest.raises(GateRefused) as exc:
        opportunity_move(actor=engineer, opportunity=opportunity, move="start_solution")
    assert exc.value.reasons == [
        "REQ-001 is not confirmed by the customer.",
        "REQ-003 is not feasible and has no agreed alternative.",
    ]
    confirm(engineer, rigid)
    services.requirement_update(actor=engineer, requirement=infeasible, data={"alternative": "手工巡檢替代"})
    # the unconfirmed flexible requirement does not block
    moved = opportunity_move(actor=engineer, opportunity=opportunity, move="start_solution")
    assert moved.stage == "solution"


def test_r_need_4_a_change_after_confirmation_blocks_again(engineer, opportunity):
    rigid = services.requirement_create(actor=engineer, opportunity=opportunity, data=RIGID)
    confirm(engineer, rigid)
    rigid.refresh_from_db()
    services.requirement_update(actor=engineer, requirement=rigid, data={"key_metric": "-40%"})
    with pytest.raises(GateRefused) as exc:
        opportunity_move(actor=engineer, opportunity=opportunity, move="start_solution")
    assert exc.value.reasons == ["REQ-001 is not confirmed by the customer."]


def test_r_need_4_api_move_answers_409_with_reasons(client_for, engineer, opportunity):
    services.requirement_create(actor=engineer, opportunity=opportunity, data=RIGID)
    response = client_for(engineer).post(
        f"/api/v1/opportunities/{opportunity.pk}/move/", {"move": "start_solution"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "gate_refused"
    assert response.json()["reasons"] == ["REQ-001 is not confirmed by the customer."]
    opportunity.refresh_from_db()
    assert opportunity.stage == "needs_analysis"
    moves = client_for(engineer).get(f"/api/v1/opportunities/{opportunity.pk}/moves/").json()
    start = next(m for m in moves if m["move"] == "start_solution")
    assert start["allowed"] is False


def test_r_need_4_board_drag_is_refused(client, engineer, opportunity):
    services.requirement_create(actor=engineer, opportunity=opportunity, data=RIGID)
    client.force_login(engineer)
    response = client.post(
        reverse("opportunities:move", args=[opportunity.pk, "start_solution"]),
        {"board": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code in (200, 409)
    assert "not confirmed by the customer" in response.content.decode()
    opportunity.refresh_from_db()
    assert opportunity.stage == "needs_analysis"


def test_r_need_4_admin_cannot_change_the_stage(client, opportunity, make_user):
    admin_user = make_user("admin", is_staff=True, is_superuser=True, username="root")
    client.force_login(admin_user)
    url = reverse("admin:opportunities_opportunity_change", args=[opportunity.pk])
    client.post(url, {"stage": "solution", "title": opportunity.title})
    opportunity.refresh_from_db()
    assert opportunity.stage == "needs_analysis"


def test_r_need_4_cards_show_the_reason_without_a_query_per_card(engineer, team, django_assert_num_queries):
    for _ in range(3):
        opp = OpportunityFactory(team=team, presales_owner=engineer, stage="needs_analysis")
        services.requirement_create(actor=engineer, opportunity=opp, data=RIGID)
    cards = list(Opportunity.objects.for_cards().filter(team=team))
    with django_assert_num_queries(0):
        found = [reasons(card, engineer) for card in cards]
    assert found == [["1 rigid requirement is not confirmed by the customer."]] * 3
