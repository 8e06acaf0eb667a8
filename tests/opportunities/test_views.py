"""Web pages of the lifecycle: board, list, detail, forms and moves (R-OPP-1..3)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opportunities.choices import CloseReason, InitiationStatus, Stage
from opportunities.forms import InitiationForm, OpportunityForm
from opportunities.models import Opportunity, ProjectInitiation, StageChange
from tests.bids.contracts.factories import signed_contract
from tests.factories import (
    CustomerFactory,
    OpportunityFactory,
    ProjectInitiationFactory,
    ProjectMemberFactory,
)
from tests.proposals.solutions.factories import approved_solution

pytestmark = pytest.mark.django_db


def _approved(opportunity):
    ProjectInitiationFactory(opportunity=opportunity, status=InitiationStatus.APPROVED)
    approved_solution(opportunity)  # the review and demo gates (R-SOL-5)
    if opportunity.stage == Stage.CONTRACT:
        signed_contract(opportunity)  # the handoff gate (R-CON-3)
    return opportunity


# --- board -------------------------------------------------------------------------------


def test_board_shows_the_users_scope_with_counts_and_totals_per_column(client, engineer, team, other_team):
    # given two opportunities of the team in solution (one in HKD) and one of another team
    OpportunityFactory(team=team, stage=Stage.SOLUTION, amount=Decimal("1000000"), title="Line A")
    OpportunityFactory(
        team=team, stage=Stage.SOLUTION, amount=Decimal("500000"), currency="HKD", title="Line B"
    )
    OpportunityFactory(team=other_team, stage=Stage.SOLUTION, amount=Decimal("9"), title="Hidden deal")
    client.force_login(engineer)
    # when the engineer opens the board
    page = client.get(reverse("opportunities:board")).content.decode()
    # then the solution column counts the team's two and totals each currency
    assert 'data-testid="count-solution" title="Opportunities">2<' in page
    assert "1,000,000.00 CNY · 500,000.00 HKD" in page
    assert "Line A" in page and "Line B" in page
    assert "Hidden deal" not in page
    assert 'data-testid="count-lead_intake" title="Opportunities">0<' in page


def test_board_filters_are_shared_with_the_list_and_api(client, engineer, team, make_user):
    # given opportunities on an A and a C customer
    OpportunityFactory(team=team, customer=CustomerFactory(team=team, grade="A"), title="Grade A deal")
    OpportunityFactory(team=team, customer=CustomerFactory(team=team, grade="C"), title="Grade C deal")
    client.force_login(engineer)
    # when the board and the list are filtered on grade A
    board = client.get(reverse("opportunities:board"), {"customer_grade": "A"}).content.decode()
    listing = client.get(reverse("opportunities:list"), {"customer_grade": "A"}).content.decode()
    # then both show only the A customer's deal
    for page in (board, listing):
        assert "Grade A deal" in page
        assert "Grade C deal" not in page


def test_board_htmx_filter_returns_only_the_board(client, engineer, team):
    OpportunityFactory(team=team, title="Partial deal")
    client.force_login(engineer)
    page = client.get(reverse("opportunities:board"), {"q": "Partial"}, headers={"HX-Request": "true"})
    assert page.templates[0].name == "opportunities/partials/board.html"
    assert "Partial deal" in page.content.decode()


def test_board_query_count_does_not_grow_with_cards(client, engineer, team, make_user):
    """Two cards or twelve: the same number of queries (counts, cards, teams, moves)."""

    def add_cards(n: int) -> None:
        for i in range(n):
            opportunity = OpportunityFactory(team=team, stage=[Stage.LEAD_INTAKE, Stage.DEMO][i % 2])
            if i % 3 == 0:
                _approved(opportunity)
            ProjectMemberFactory(opportunity=opportunity, user=make_user("presales_engineer", team=team))

    client.force_login(engineer)
    url = reverse("opportunities:board")
    add_cards(2)
    client.get(url)  # warm the session and content types
    with CaptureQueriesContext(connection) as two:
        assert client.get(url).status_code == 200
    add_cards(10)
    with CaptureQueriesContext(connection) as twelve:
        page = client.get(url).content.decode()
    assert page.count('class="card kanban-card') == 12
    assert len(twelve) == len(two)


def test_board_needs_a_role(client, no_role_user):
    assert client.get(reverse("opportunities:board")).status_code == 302
    client.force_login(no_role_user)
    assert client.get(reverse("opportunities:board")).status_code == 403


def test_card_move_menu_lists_moves_with_reasons_R_OPP_3(client, engineer, team):
    # given an opportunity in lead intake without an approved initiation
    opportunity = OpportunityFactory(team=team)
    client.force_login(engineer)
    # when the board is shown
    page = client.get(reverse("opportunities:board")).content.decode()
    # then its menu shows needs analysis blocked with the gate's reason, and closing offered
    assert f'data-testid="reasons-{opportunity.pk}-start_needs_analysis"' in page
    assert "Write the project initiation request and have it approved first." in page
    assert reverse("opportunities:move", args=[opportunity.pk, "mark_lost"]) in page


def test_dropping_a_card_calls_the_move_and_shows_the_gates_reasons_R_OPP_3(client, engineer, team):
    # given a card in demo without a tender
    opportunity = _approved(OpportunityFactory(team=team, stage=Stage.DEMO, has_tender=False))
    client.force_login(engineer)
    url = reverse("opportunities:move", args=[opportunity.pk, "start_bid"])
    # when it is dropped on the bid column (htmx post from the board)
    response = client.post(url, {"board": "1", "filters": "q=", "note": ""}, headers={"HX-Request": "true"})
    # then the board comes back with the gate's reason, and nothing moved
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="board-notice"' in page
    assert "This opportunity has no public tender: skip the bid stage and record why." in page
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.DEMO
    assert not StageChange.objects.exists()


def test_dropping_a_card_on_an_allowed_column_moves_it(client, engineer, team):
    opportunity = _approved(OpportunityFactory(team=team, stage=Stage.REVIEW, title="Droppable"))
    client.force_login(engineer)
    url = reverse("opportunities:move", args=[opportunity.pk, "start_demo"])
    response = client.post(url, {"board": "1", "filters": ""}, headers={"HX-Request": "true"})
    assert "Droppable moved to Demo." in response.content.decode()
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.DEMO
    assert StageChange.objects.get().actor == engineer


# --- move pages --------------------------------------------------------------------------


def test_move_form_closes_with_reason_and_redirects(client, engineer, team):
    # given an opportunity in bid
    opportunity = _approved(OpportunityFactory(team=team, stage=Stage.BID, has_tender=True))
    client.force_login(engineer)
    url = reverse("opportunities:move", args=[opportunity.pk, "mark_lost"])
    # the form asks for the reason and the winner
    form_page = client.get(url).content.decode()
    assert 'name="reason"' in form_page and 'name="winning_competitor"' in form_page
    assert 'name="bid_skip_reason"' not in form_page
    # when it is posted
    response = client.post(
        url,
        {
            "reason": CloseReason.PRICE,
            "winning_competitor": "Acme",
            "note": "Cheaper.",
            "next": "/opportunities/",
        },
    )
    # then the opportunity is lost and the user goes back where they came from
    assert response.status_code == 302 and response["Location"] == "/opportunities/"
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.winning_competitor) == (Stage.LOST, "Acme")


def test_move_form_refusal_shows_reasons_and_changes_nothing(client, engineer, team):
    opportunity = _approved(OpportunityFactory(team=team, stage=Stage.SOLUTION))
    client.force_login(engineer)
    url = reverse("opportunities:move", args=[opportunity.pk, "abandon"])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 409
    assert "Choose the reason the opportunity is closed." in response.content.decode()
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.SOLUTION
    assert not StageChange.objects.exists()


def test_move_page_refuses_people_outside_the_team(client, other_engineer, engineer, team):
    opportunity = OpportunityFactory(team=team)
    client.force_login(other_engineer)
    assert client.get(reverse("opportunities:move", args=[opportunity.pk, "abandon"])).status_code == 404
    assert client.get(reverse("opportunities:move", args=[opportunity.pk, "fly"])).status_code == 404


def test_open_redirects_are_refused(client, engineer, team):
    opportunity = _approved(OpportunityFactory(team=team, stage=Stage.CONTRACT))
    client.force_login(engineer)
    response = client.post(
        reverse("opportunities:move", args=[opportunity.pk, "handoff"]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == opportunity.get_absolute_url()


# --- detail, forms, list, dashboard ------------------------------------------------------


def test_detail_shows_path_moves_history_and_team(client, engineer, team):
    # given an opportunity moved once, with a project team
    opportunity = _approved(OpportunityFactory(team=team, stage=Stage.REVIEW))
    ProjectMemberFactory(opportunity=opportunity, user=engineer, role="presales_owner")
    client.force_login(engineer)
    client.post(reverse("opportunities:move", args=[opportunity.pk, "start_demo"]))
    # when the detail page is opened
    page = client.get(opportunity.get_absolute_url()).content.decode()
    # then it shows the stage path, the next moves with reasons, the stage history and the team
    assert 'aria-current="step">Demo<' in page
    assert 'data-testid="reasons-start_bid"' in page
    assert "This opportunity has no public tender" in page
    assert "Review</td>" in page and "Demo</td>" in page
    assert "Presales owner" in page
    assert 'data-testid="history"' in page


def test_detail_of_another_team_is_404(client, other_engineer, team):
    opportunity = OpportunityFactory(team=team)
    client.force_login(other_engineer)
    assert client.get(opportunity.get_absolute_url()).status_code == 404


def test_forms_have_no_stage_field_R_OPP_3():
    assert "stage" not in OpportunityForm._meta.fields
    assert "stage" not in OpportunityForm.base_fields
    assert "status" not in InitiationForm.base_fields


def test_edit_form_ignores_a_posted_stage_R_OPP_3(client, engineer, team):
    # given an opportunity in solution
    opportunity = OpportunityFactory(team=team, stage=Stage.SOLUTION)
    client.force_login(engineer)
    # when its edit form is posted with a stage
    response = client.post(
        reverse("opportunities:update", args=[opportunity.pk]),
        {
            "customer": opportunity.customer_id,
            "title": "Renamed",
            "amount": "100",
            "currency": "CNY",
            "stage": Stage.HANDOFF,
            "team": team.pk,
            "sales_owner": opportunity.sales_owner_id,
            "presales_owner": opportunity.presales_owner_id,
        },
    )
    # then the facts are saved, the stage is not
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.title, opportunity.stage) == ("Renamed", Stage.SOLUTION)


def test_create_form_makes_the_opportunity_R_OPP_1(client, engineer, team):
    customer = CustomerFactory(team=team)
    client.force_login(engineer)
    response = client.post(
        reverse("opportunities:create"),
        {
            "customer": customer.pk,
            "title": "New MES",
            "amount": "300000",
            "currency": "CNY",
            "competitors": "Acme, Beta",
        },
    )
    opportunity = Opportunity.objects.get()
    assert response["Location"] == opportunity.get_absolute_url()
    assert (opportunity.competitors, opportunity.sales_owner) == (["Acme", "Beta"], customer.owner)


def test_create_form_shows_service_errors(client, engineer, team):
    client.force_login(engineer)
    customer = CustomerFactory(team=team)
    response = client.post(
        reverse("opportunities:create"),
        {"customer": customer.pk, "title": "X", "amount": "-5", "currency": "CNY"},
    )
    assert response.status_code == 200
    assert "The amount cannot be negative." in response.content.decode()
    assert not Opportunity.objects.exists()


def test_initiation_form_saves_a_draft_with_the_team(client, engineer, make_user, team):
    opportunity = OpportunityFactory(team=team)
    expert = make_user("department_head", team=team)
    client.force_login(engineer)
    response = client.post(
        reverse("opportunities:initiation", args=[opportunity.pk]),
        {
            "background": "500 staff.",
            "sales_strategy": "Efficiency first.",
            "expected_goals": "Phase 1.",
            "team-TOTAL_FORMS": "2",
            "team-INITIAL_FORMS": "0",
            "team-0-user": expert.pk,
            "team-0-role": "technical_expert",
            "team-0-responsibility": "Interfaces",
            "team-1-user": "",
            "team-1-role": "",
            "save": "1",
        },
    )
    assert response.status_code == 302
    initiation = ProjectInitiation.objects.get(opportunity=opportunity)
    assert initiation.status == InitiationStatus.DRAFT
    assert [m.user for m in initiation.proposed_members.all()] == [expert]


def test_initiation_form_shows_team_errors(client, engineer, team):
    opportunity = OpportunityFactory(team=team, presales_owner=engineer)
    client.force_login(engineer)
    response = client.post(
        reverse("opportunities:initiation", args=[opportunity.pk]),
        {
            "background": "x",
            "sales_strategy": "y",
            "expected_goals": "z",
            "team-TOTAL_FORMS": "1",
            "team-INITIAL_FORMS": "0",
            "team-0-user": engineer.pk,
            "team-0-role": "delivery",
        },
    )
    assert response.status_code == 200
    assert "is an owner and joins the team as such" in response.content.decode()
    assert not ProjectInitiation.objects.exists()


def test_list_view_sorts_and_filters(client, engineer, team):
    OpportunityFactory(team=team, title="Alpha deal", stage=Stage.DEMO)
    OpportunityFactory(team=team, title="Beta deal", stage=Stage.SOLUTION)
    client.force_login(engineer)
    page = client.get(reverse("opportunities:list"), {"stage": Stage.DEMO, "sort": "title"}).content.decode()
    assert "Alpha deal" in page and "Beta deal" not in page


def test_dashboard_panel_counts_my_open_opportunities(client, engineer, team):
    OpportunityFactory(team=team, presales_owner=engineer, stage=Stage.SOLUTION)
    OpportunityFactory(team=team, presales_owner=engineer, stage=Stage.SOLUTION)
    OpportunityFactory(team=team, stage=Stage.DEMO)  # not mine
    client.force_login(engineer)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'data-panel="pipeline"' in page
    assert 'stage=solution">Solution</a></td>\n      <td class="text-end">2<' in page
    assert "stage=demo" not in page
    assert 'data-nav="pipeline"' in page


def test_the_pipeline_panels_counts_equal_the_rows_its_links_list(client, engineer, team):
    """Issue 8: each stage's count on the dashboard is the number of rows its link lists."""
    # given my opportunities in two stages, and the team's others in the same stages
    OpportunityFactory(team=team, presales_owner=engineer, stage=Stage.SOLUTION)
    OpportunityFactory(team=team, presales_owner=engineer, stage=Stage.SOLUTION)
    OpportunityFactory(team=team, presales_owner=engineer, stage=Stage.DEMO)
    OpportunityFactory(team=team, stage=Stage.SOLUTION)
    OpportunityFactory(team=team, stage=Stage.DEMO)
    client.force_login(engineer)
    # when the dashboard is shown and each stage's link followed
    panel = next(p for p in client.get(reverse("dashboard")).context["panels"] if p["key"] == "pipeline")
    counts = {row["stage"]: row["count"] for row in panel["rows"]}
    listed = {
        stage: client.get(reverse("opportunities:list"), {"mine": "true", "stage": stage})
        .context["table"]
        .paginator.count
        for stage in counts
    }
    # then they agree
    assert counts == {Stage.SOLUTION: 2, Stage.DEMO: 1}
    assert listed == counts


def test_admin_is_read_only_for_the_lifecycle_R_OPP_3(admin_client, team):
    # given an opportunity, and a superuser in the admin
    opportunity = OpportunityFactory(team=team, stage=Stage.SOLUTION)
    url = reverse("admin:opportunities_opportunity_change", args=[opportunity.pk])
    # then the admin shows it without a stage input and refuses a change
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="stage"' not in page.content.decode()
    assert admin_client.post(url, {"stage": Stage.HANDOFF, "title": "X"}).status_code == 403
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.SOLUTION


def test_customer_filter_offers_only_visible_customers_R_CUST_6(client, engineer, team, other_team):
    """The filter searches as the user types (issue 9): its suggestions and its chosen option
    are the visible customers only."""
    ours = CustomerFactory(team=team, name="Our customer")
    theirs = CustomerFactory(team=other_team, name="Their secret customer")
    client.force_login(engineer)
    page = client.get(reverse("opportunities:board"), {"customer": ours.pk}).content.decode()
    assert "Our customer" in page
    assert "Their secret customer" not in page
    assert (
        "Their secret customer"
        not in client.get(reverse("opportunities:board"), {"customer": theirs.pk}).content.decode()
    )
    suggested = client.get(reverse("leads:autocomplete-customers"), {"q": "customer"}).json()["results"]
    assert [row["text"] for row in suggested] == ["Our customer"]
