"""/api/v1/opportunities/: CRUD minus the stage, moves with 409 reasons, history, initiation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from opportunities.choices import CloseReason, InitiationStatus, Stage
from opportunities.models import Opportunity, ProjectInitiation, StageChange
from presales.core.roles import Role
from tests.factories import CustomerFactory, OpportunityFactory, ProjectInitiationFactory
from tests.proposals.solutions.factories import approved_solution

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "no_role_user", "other_engineer", "engineer", "manager"]


def _actor(request, who):
    return None if who == "anonymous" else request.getfixturevalue(who)


def _approved(opportunity):
    ProjectInitiationFactory(opportunity=opportunity, status=InitiationStatus.APPROVED)
    approved_solution(opportunity)  # the review and demo gates (R-SOL-5)
    return opportunity


def _detail(opportunity, action=None):
    if action is None:
        return reverse("opportunity-detail", args=[opportunity.pk])
    return reverse(f"opportunity-{action}", args=[opportunity.pk])


# --- permission matrix -------------------------------------------------------------------

# Expected status per endpoint for: anonymous, no role, other team, same team, team manager.
MATRIX = {
    "retrieve": [401, 403, 404, 200, 200],
    "patch": [401, 403, 404, 200, 200],
    "move": [401, 403, 404, 200, 200],
    "moves": [401, 403, 404, 200, 200],
    "stage_changes": [401, 403, 404, 200, 200],
    "initiation_get": [401, 403, 404, 200, 200],
    "initiation_put": [401, 403, 404, 200, 200],
}


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
@pytest.mark.parametrize("who", ACTORS)
def test_permission_matrix(request, client_for, team, endpoint, who):
    # given an opportunity of the team in review, with an approved initiation
    opportunity = _approved(OpportunityFactory(team=team, stage=Stage.REVIEW))
    client = client_for(_actor(request, who))
    # when the actor calls the endpoint
    if endpoint == "retrieve":
        response = client.get(_detail(opportunity))
    elif endpoint == "patch":
        response = client.patch(_detail(opportunity), {"title": "Renamed"})
    elif endpoint == "move":
        response = client.post(_detail(opportunity, "move"), {"move": "start_demo"})
    elif endpoint == "moves":
        response = client.get(_detail(opportunity, "moves"))
    elif endpoint == "stage_changes":
        response = client.get(_detail(opportunity, "stage-changes"))
    elif endpoint == "initiation_get":
        response = client.get(_detail(opportunity, "initiation"))
    else:
        ProjectInitiation.objects.filter(opportunity=opportunity).update(status=InitiationStatus.DRAFT)
        response = client.put(
            _detail(opportunity, "initiation"),
            {"background": "b", "sales_strategy": "s", "expected_goals": "g"},
        )
    # then the status follows the matrix, with the error contract on refusals
    expected = MATRIX[endpoint][ACTORS.index(who)]
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert {"code", "message", "fields"} <= set(response.json())
    # and a refused write changed nothing
    if expected >= 400:
        opportunity.refresh_from_db()
        assert (opportunity.title != "Renamed", opportunity.stage) == (True, Stage.REVIEW)


@pytest.mark.parametrize(
    ("who", "status", "count"),
    [
        ("anonymous", 401, None),
        ("no_role_user", 403, None),
        ("other_engineer", 200, 0),
        ("engineer", 200, 1),
        ("manager", 200, 1),
    ],
)
def test_list_is_scoped(request, client_for, team, who, status, count):
    OpportunityFactory(team=team)
    response = client_for(_actor(request, who)).get(reverse("opportunity-list"))
    assert response.status_code == status
    if count is not None:
        assert len(response.json()["results"]) == count


@pytest.mark.parametrize(
    ("role", "status"), [(Role.LEGAL, 403), (Role.DEPARTMENT_HEAD, 403), (Role.SALES_REP, 201)]
)
def test_create_needs_a_writer_role(client_for, make_user, team, role, status):
    customer = CustomerFactory(team=team)
    response = client_for(make_user(role, team=team)).post(
        reverse("opportunity-list"), {"customer": customer.pk, "title": "API deal", "amount": "1000"}
    )
    assert response.status_code == status, response.content
    assert Opportunity.objects.filter(title="API deal").count() == (1 if status == 201 else 0)


# --- CRUD minus the stage ----------------------------------------------------------------


def test_create_on_a_customer_of_another_team_is_a_field_error(client_for, engineer, other_team):
    customer = CustomerFactory(team=other_team)
    response = client_for(engineer).post(reverse("opportunity-list"), {"customer": customer.pk, "title": "X"})
    assert response.status_code == 400
    assert "customer" in response.json()["fields"]


def test_create_returns_the_opportunity_in_lead_intake_R_OPP_1(client_for, engineer, team):
    customer = CustomerFactory(team=team)
    response = client_for(engineer).post(
        reverse("opportunity-list"),
        {
            "customer": customer.pk,
            "title": "Smart factory",
            "amount": "1200000.00",
            "expected_close": (timezone.localdate() + timedelta(days=200)).isoformat(),
            "competitors": ["Acme", "Beta"],
            "has_tender": True,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["stage"], body["competitors"], body["customer_name"]) == (
        "lead_intake",
        ["Acme", "Beta"],
        customer.name,
    )


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize("field", ["stage", "closed_at", "close_reason"])
def test_stage_is_not_writable_through_put_or_patch_R_OPP_3(client_for, engineer, team, method, field):
    # given an opportunity in solution
    opportunity = OpportunityFactory(team=team, stage=Stage.SOLUTION)
    body = {
        "customer": opportunity.customer_id,
        "title": "Changed",
        "amount": "5",
        field: {"stage": "handoff", "closed_at": "2026-01-01T00:00:00Z", "close_reason": "price"}[field],
    }
    # when the client writes the stage (or a closing fact)
    response = getattr(client_for(engineer), method)(_detail(opportunity), body)
    # then it is a 400 on that field and nothing changed
    assert response.status_code == 400
    assert field in response.json()["fields"]
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.title) == (Stage.SOLUTION, opportunity.title)
    assert opportunity.title != "Changed"


def test_bad_input_is_a_400_not_a_500(client_for, engineer, team):
    opportunity = OpportunityFactory(team=team)
    client = client_for(engineer)
    for body in ({"amount": "-1"}, {"amount": "lots"}, {"competitors": "Acme"}, {"expected_close": "soon"}):
        response = client.patch(_detail(opportunity), body)
        assert response.status_code == 400, body
        assert response.json()["code"] == "invalid"


def test_delete_is_not_offered(client_for, engineer, team):
    opportunity = OpportunityFactory(team=team)
    assert client_for(engineer).delete(_detail(opportunity)).status_code == 405
    assert Opportunity.objects.filter(pk=opportunity.pk).exists()


def test_filters_search_and_ordering(client_for, engineer, team):
    OpportunityFactory(team=team, title="Zeta line", amount=5, customer=CustomerFactory(team=team, grade="A"))
    OpportunityFactory(
        team=team, title="Alpha line", amount=9, customer=CustomerFactory(team=team, grade="C")
    )
    client = client_for(engineer)
    by_grade = client.get(reverse("opportunity-list"), {"customer_grade": "A"}).json()["results"]
    assert [o["title"] for o in by_grade] == ["Zeta line"]
    ordered = client.get(reverse("opportunity-list"), {"ordering": "-amount"}).json()["results"]
    assert [o["title"] for o in ordered] == ["Alpha line", "Zeta line"]
    assert [
        o["title"] for o in client.get(reverse("opportunity-list"), {"q": "alpha"}).json()["results"]
    ] == ["Alpha line"]


# --- moves -------------------------------------------------------------------------------


def test_move_answers_409_with_the_gates_reasons_and_changes_nothing_R_OPP_3(client_for, engineer, team):
    # given an opportunity in lead intake without an initiation
    opportunity = OpportunityFactory(team=team)
    # when needs analysis is started through the API
    response = client_for(engineer).post(_detail(opportunity, "move"), {"move": "start_needs_analysis"})
    # then 409 names the gate's reason, and nothing changed
    assert response.status_code == 409
    assert response.json() == {
        "code": "gate_refused",
        "message": "This move is not allowed yet.",
        "fields": {},
        "reasons": ["Write the project initiation request and have it approved first."],
        "move": "start_needs_analysis",
    }
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.LEAD_INTAKE
    assert not StageChange.objects.exists()


def test_move_with_its_inputs_R_OPP_3(client_for, engineer, team):
    opportunity = _approved(OpportunityFactory(team=team, stage=Stage.DEMO))
    response = client_for(engineer).post(
        _detail(opportunity, "move"),
        {"move": "mark_lost", "reason": CloseReason.PRICE, "winning_competitor": "Acme", "note": "Cheaper"},
    )
    assert response.status_code == 200, response.content
    assert (response.json()["stage"], response.json()["winning_competitor"]) == ("lost", "Acme")


@pytest.mark.parametrize("body", [{}, {"move": "fly"}, {"move": "mark_lost", "reason": "whim"}])
def test_move_bad_input_is_400(client_for, engineer, team, body):
    opportunity = OpportunityFactory(team=team)
    response = client_for(engineer).post(_detail(opportunity, "move"), body)
    assert response.status_code == 400
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.LEAD_INTAKE


@pytest.mark.usefixtures("opportunities_only")  # the bids' gates: tests/bids/tenders
def test_moves_lists_options_with_reasons(client_for, engineer, team):
    opportunity = _approved(OpportunityFactory(team=team, stage=Stage.DEMO, has_tender=False))
    body = client_for(engineer).get(_detail(opportunity, "moves")).json()
    by_name = {o["move"]: o for o in body}
    assert set(by_name) == {"start_bid", "skip_bid", "mark_lost", "abandon"}
    assert by_name["start_bid"]["allowed"] is False
    assert by_name["start_bid"]["reasons"] == [
        "This opportunity has no public tender: skip the bid stage and record why."
    ]
    assert (by_name["skip_bid"]["allowed"], by_name["skip_bid"]["inputs"]) == (True, ["bid_skip_reason"])
    assert by_name["mark_lost"]["inputs"] == ["reason", "winning_competitor"]


def test_stage_changes_list_every_move(client_for, engineer, team):
    opportunity = _approved(OpportunityFactory(team=team, stage=Stage.SOLUTION))
    client = client_for(engineer)
    client.post(_detail(opportunity, "move"), {"move": "submit_for_review"})
    client.post(_detail(opportunity, "move"), {"move": "back_to_solution", "note": "Rework pricing."})
    changes = client.get(_detail(opportunity, "stage-changes")).json()
    assert [(c["from_stage"], c["to_stage"], c["note"], c["actor"]) for c in changes] == [
        ("review", "solution", "Rework pricing.", engineer.pk),
        ("solution", "review", "", engineer.pk),
    ]


# --- initiation --------------------------------------------------------------------------


def test_initiation_put_creates_then_updates_the_draft_R_OPP_2(client_for, engineer, make_user, team):
    opportunity = OpportunityFactory(team=team)
    expert = make_user(Role.DEPARTMENT_HEAD, team=team)
    client = client_for(engineer)
    url = _detail(opportunity, "initiation")
    assert client.get(url).status_code == 404
    body = {
        "background": "500 staff.",
        "sales_strategy": "Efficiency.",
        "expected_goals": "Phase 1.",
        "proposed_team": [{"user": expert.pk, "role": "technical_expert", "responsibility": "Interfaces"}],
    }
    created = client.put(url, body)
    assert created.status_code == 201, created.content
    assert created.json()["proposed_team"] == [
        {"user": expert.pk, "role": "technical_expert", "responsibility": "Interfaces"}
    ]
    updated = client.put(url, {**body, "expected_goals": "Phase 1 and 2."})
    assert (updated.status_code, updated.json()["revision"], updated.json()["status"]) == (200, 2, "draft")
    # the status is not writable: sending it is refused, and nothing changes
    refused = client.put(url, {**body, "status": "approved"})
    assert refused.status_code == 400 and refused.json()["fields"] == {"status": ["This field is read-only."]}
    assert client.get(url).json()["status"] == "draft"


def test_initiation_put_team_errors_are_400(client_for, engineer, team):
    opportunity = OpportunityFactory(team=team, presales_owner=engineer)
    response = client_for(engineer).put(
        _detail(opportunity, "initiation"),
        {
            "background": "b",
            "sales_strategy": "s",
            "expected_goals": "g",
            "proposed_team": [{"user": engineer.pk, "role": "delivery"}],
        },
    )
    assert response.status_code == 400
    assert "team" in response.json()["fields"]


def test_openapi_documents_the_lifecycle_endpoints(client, engineer):
    client.force_login(engineer)
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    move = schema["paths"]["/api/v1/opportunities/{id}/move/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(move["responses"])
    assert "/api/v1/opportunities/{id}/initiation/submit/" in schema["paths"]
    patch = schema["paths"]["/api/v1/opportunities/{id}/"]["patch"]
    assert "stage" not in schema["components"]["schemas"]["PatchedOpportunityRequest"]["properties"]
    assert "409" in patch["responses"]
