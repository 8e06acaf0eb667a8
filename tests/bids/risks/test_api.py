"""/api/v1/risks/ and /api/v1/credit-assessments/ (R-RISK-1): through the services, scoped
by the opportunity's visibility, bad input 400, a non-manager's acceptance 403, and the
contract's submission refused over the API while a high risk is open."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bids.contracts import services as contracts
from bids.models import CreditAssessment, Risk
from tests.bids.contracts.factories import accepted_version
from tests.bids.risks.factories import risk

pytestmark = pytest.mark.django_db


def _body(opportunity, **overrides):
    return {
        "opportunity": opportunity.pk,
        "category": "competition",
        "title": "Competitor undercuts by 20 %",
        "likelihood": 4,
        "impact": 4,
        "response": "mitigate",
        "response_plan": "Show the total cost of ownership.",
        "review_on": str(timezone.localdate() + timedelta(days=7)),
        **overrides,
    }


def test_create_through_the_service_r_risk_1(client_for, sales_rep, opportunity):
    # when
    response = client_for(sales_rep).post("/api/v1/risks/", _body(opportunity), format="json")
    # then
    assert response.status_code == 201, response.data
    assert response.data["score"] == 16 and response.data["level"] == "high"
    assert response.data["status"] == "open" and response.data["owner"] == sales_rep.pk


def test_likelihood_6_is_a_400_r_risk_1(client_for, sales_rep, opportunity):
    response = client_for(sales_rep).post("/api/v1/risks/", _body(opportunity, likelihood=6), format="json")
    assert response.status_code == 400
    assert "likelihood" in response.data["fields"]
    assert not Risk.objects.exists()


def test_status_and_score_are_read_only_r_risk_1(client_for, sales_rep, opportunity):
    r = risk(sales_rep, opportunity)
    response = client_for(sales_rep).patch(f"/api/v1/risks/{r.pk}/", {"status": "closed"}, format="json")
    assert response.status_code == 400
    r.refresh_from_db()
    assert r.status == "open"


def test_update_raises_the_score_r_risk_1(client_for, sales_rep, opportunity):
    r = risk(sales_rep, opportunity)
    response = client_for(sales_rep).patch(
        f"/api/v1/risks/{r.pk}/", {"impact": 5, "version": r.version}, format="json"
    )
    assert response.status_code == 200, response.data
    assert response.data["score"] == 10


def test_other_team_gets_404_r_risk_1(client_for, other_engineer, sales_rep, opportunity):
    r = risk(sales_rep, opportunity)
    client = client_for(other_engineer)
    assert client.get(f"/api/v1/risks/{r.pk}/").status_code == 404
    assert client.post(f"/api/v1/risks/{r.pk}/close/", {}, format="json").status_code == 404
    assert client.get("/api/v1/risks/").data["results"] == []
    response = client.post("/api/v1/risks/", _body(opportunity), format="json")
    assert response.status_code == 400  # the opportunity "does not exist" for them


def test_engineer_cannot_accept_403_manager_can_r_risk_1(client_for, engineer, sales_manager, opportunity):
    r = risk(engineer, opportunity, likelihood=5, impact=5)
    refused = client_for(engineer).post(f"/api/v1/risks/{r.pk}/accept/", {"reason": "ok"}, format="json")
    assert refused.status_code == 403
    accepted = client_for(sales_manager).post(
        f"/api/v1/risks/{r.pk}/accept/", {"reason": "Guaranteed."}, format="json"
    )
    assert accepted.status_code == 200, accepted.data
    assert accepted.data["status"] == "accepted"


def test_general_manager_accepts_over_the_api_r_risk_1(client_for, general_manager, engineer, opportunity):
    r = risk(engineer, opportunity, likelihood=5, impact=5)
    response = client_for(general_manager).post(
        f"/api/v1/risks/{r.pk}/accept/", {"reason": "Strategic customer."}, format="json"
    )
    assert response.status_code == 200, response.data


def test_review_and_close_actions_r_risk_1(client_for, engineer, opportunity):
    r = risk(engineer, opportunity)
    client = client_for(engineer)
    next_on = str(timezone.localdate() + timedelta(days=30))
    reviewed = client.post(
        f"/api/v1/risks/{r.pk}/review/", {"next_review_on": next_on, "note": "Still there."}, format="json"
    )
    assert reviewed.status_code == 200, reviewed.data
    assert reviewed.data["review_on"] == next_on
    bad = client.post(f"/api/v1/risks/{r.pk}/review/", {"next_review_on": "yesterday"}, format="json")
    assert bad.status_code == 400
    closed = client.post(f"/api/v1/risks/{r.pk}/close/", {"note": "Gone."}, format="json")
    assert closed.status_code == 200 and closed.data["status"] == "closed"


def test_list_filters_by_level_and_orders_by_score_r_risk_1(client_for, engineer, opportunity):
    risk(engineer, opportunity, likelihood=1, impact=1, title="low")
    risk(engineer, opportunity, likelihood=5, impact=5, title="top")
    risk(engineer, opportunity, likelihood=3, impact=4, title="warn")
    client = client_for(engineer)
    titles = [row["title"] for row in client.get("/api/v1/risks/").data["results"]]
    assert titles == ["top", "warn", "low"]
    high = client.get("/api/v1/risks/?level=high").data["results"]
    assert [row["title"] for row in high] == ["top"]
    assert client.get("/api/v1/risks/?level=extreme").status_code == 400


def test_submit_over_the_api_is_refused_by_an_open_high_risk_r_risk_1(client_for, sales_rep, opportunity):
    # given
    accepted_version(opportunity, prices=(Decimal("5000.00"),))
    contract = contracts.contract_create(actor=sales_rep, opportunity=opportunity)
    risk(sales_rep, opportunity, likelihood=5, impact=5, title="Sanctions")
    # when
    response = client_for(sales_rep).post(f"/api/v1/contracts/{contract.pk}/submit/", {}, format="json")
    # then
    assert response.status_code == 409
    assert any("Sanctions" in reason for reason in response.data["reasons"])


def test_credit_assessment_recorded_and_listed_r_risk_1(client_for, sales_rep, other_engineer, opportunity):
    body = {
        "opportunity": opportunity.pk,
        "rating": "B",
        "credit_limit": "500000.00",
        "payment_history": "OK",
    }
    response = client_for(sales_rep).post("/api/v1/credit-assessments/", body, format="json")
    assert response.status_code == 201, response.data
    assert response.data["valid_until"]
    assessment = CreditAssessment.objects.get()
    assert assessment.assessed_by == sales_rep
    assert client_for(other_engineer).get(f"/api/v1/credit-assessments/{assessment.pk}/").status_code == 404
    listed = client_for(sales_rep).get(f"/api/v1/credit-assessments/?opportunity={opportunity.pk}")
    assert [row["id"] for row in listed.data["results"]] == [assessment.pk]


def test_credit_assessment_bad_rating_is_a_400_r_risk_1(client_for, sales_rep, opportunity):
    body = {"opportunity": opportunity.pk, "rating": "Z", "credit_limit": "-1"}
    response = client_for(sales_rep).post("/api/v1/credit-assessments/", body, format="json")
    assert response.status_code == 400
    assert {"rating", "credit_limit"} <= set(response.data["fields"])
