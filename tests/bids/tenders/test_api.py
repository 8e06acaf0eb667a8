"""The tenders API (R-BID-1, R-BID-2, R-BID-4, R-BID-5, R-REV-3): bypass attempts through
PATCH, the gates through the opportunity's move (409 with reasons), the error contract."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bids.models import Bid, BidDecision, Tender
from bids.tenders import services
from bids.tenders.choices import BidStatus, Decision
from opportunities.models import Opportunity
from tests.bids.tenders.conftest import fill_parts, tender_data

pytestmark = pytest.mark.django_db


def _decided(engineer, manager, opportunity):
    services.decision_save(actor=engineer, opportunity=opportunity, data={"analysis": "a", "strategy": "s"})
    return services.decision_decide(actor=manager, opportunity=opportunity, decision=Decision.BID)


def test_r_bid_5_api_move_into_bid_is_409_without_decision(client_for, engineer, manager, opportunity):
    url = reverse("opportunity-move", args=[opportunity.pk])
    response = client_for(engineer).post(url, {"move": "start_bid"}, format="json")
    assert response.status_code == 409
    assert "The presales manager must decide to bid first (R-BID-5)." in response.json()["reasons"]
    _decided(engineer, manager, opportunity)
    assert client_for(engineer).post(url, {"move": "start_bid"}, format="json").status_code == 200


def test_r_bid_5_api_decide_by_the_manager_only_and_decision_not_patchable(
    client_for, engineer, manager, opportunity
):
    created = client_for(engineer).post(
        reverse("bid-decision-list"),
        {"opportunity": opportunity.pk, "analysis": "a", "strategy": "s", "decision": "bid"},
        format="json",
    )
    assert created.status_code == 400 and "decision" in created.json()["fields"]
    created = client_for(engineer).post(
        reverse("bid-decision-list"),
        {"opportunity": opportunity.pk, "analysis": "a", "strategy": "s"},
        format="json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    patched = client_for(engineer).patch(
        reverse("bid-decision-detail", args=[pk]), {"decision": "bid"}, format="json"
    )
    assert patched.status_code == 400
    decide = reverse("bid-decision-decide", args=[pk])
    assert client_for(engineer).post(decide, {"decision": "bid"}, format="json").status_code == 403
    response = client_for(manager).post(decide, {"decision": "bid"}, format="json")
    assert response.status_code == 200 and response.json()["decision"] == "bid"
    assert BidDecision.objects.get(pk=pk).decided_by == manager


def test_api_tender_flag_cannot_be_patched_off_once_a_tender_exists(client_for, engineer, opportunity):
    services.tender_save(actor=engineer, opportunity=opportunity, data=tender_data())
    response = client_for(engineer).patch(
        reverse("opportunity-detail", args=[opportunity.pk]), {"has_tender": False}, format="json"
    )
    assert response.status_code == 400 and "has_tender" in response.json()["fields"]
    assert Opportunity.objects.get(pk=opportunity.pk).has_tender is True


def test_r_bid_1_api_tender_create_and_bad_input(client_for, engineer, opportunity, other_engineer):
    body = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in tender_data().items()}
    bad = client_for(engineer).post(
        reverse("tender-list"), {**body, "opportunity": opportunity.pk, "bond_amount": "lots"}, format="json"
    )
    assert bad.status_code == 400 and "bond_amount" in bad.json()["fields"]
    response = client_for(engineer).post(
        reverse("tender-list"), {**body, "opportunity": opportunity.pk}, format="json"
    )
    assert response.status_code == 201
    tender = Tender.objects.get(opportunity=opportunity)
    assert client_for(other_engineer).get(reverse("tender-detail", args=[tender.pk])).status_code == 404


def test_r_bid_2_api_seal_refused_before_approval_and_status_not_patchable(
    client_for, engineer, manager, legal, finance, opportunity, chains
):
    _decided(engineer, manager, opportunity)
    client_for(engineer).post(
        reverse("opportunity-move", args=[opportunity.pk]), {"move": "start_bid"}, format="json"
    )
    services.tender_save(actor=engineer, opportunity=opportunity, data=tender_data())
    created = client_for(engineer).post(
        reverse("bid-list"), {"opportunity": opportunity.pk, "summary": "x"}, format="json"
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    patched = client_for(engineer).patch(
        reverse("bid-detail", args=[pk]), {"status": "sealed"}, format="json"
    )
    assert patched.status_code == 400
    sealed = client_for(engineer).post(reverse("bid-seal", args=[pk]))
    assert sealed.status_code == 409 and sealed.json()["reasons"]
    refused = client_for(engineer).post(reverse("bid-submit", args=[pk]))
    assert refused.status_code == 409 and len(refused.json()["reasons"]) == 3  # R-BID-1: empty parts
    fill_parts(engineer, Bid.objects.get(pk=pk))
    submitted = client_for(engineer).post(reverse("bid-submit", args=[pk]))
    assert submitted.status_code == 200 and submitted.json()["status"] == "in_review"
    assert client_for(engineer).post(reverse("bid-seal", args=[pk])).status_code == 409
    assert Bid.objects.get(pk=pk).status == BidStatus.IN_REVIEW
    result = client_for(engineer).post(reverse("bid-result", args=[pk]), {"won": True}, format="json")
    assert result.status_code == 409


def test_r_bid_5_moves_list_shows_the_gate_from_the_card_fact(client_for, engineer, manager, opportunity):
    url = reverse("opportunity-moves", args=[opportunity.pk])
    by_name = {o["move"]: o for o in client_for(engineer).get(url).json()}
    assert by_name["start_bid"]["allowed"] is False
    assert by_name["start_bid"]["reasons"] == ["The presales manager must decide to bid first (R-BID-5)."]
    _decided(engineer, manager, opportunity)
    by_name = {o["move"]: o for o in client_for(engineer).get(url).json()}
    assert by_name["start_bid"]["allowed"] is True


def test_r_bid_4_opportunity_cards_carry_the_bid_facts(engineer, manager, opportunity):
    from bids.tenders.gates import BID_WON, DECIDED_BID

    _decided(engineer, manager, opportunity)
    card = Opportunity.objects.for_cards().get(pk=opportunity.pk)
    assert card.__dict__[DECIDED_BID] is True and card.__dict__[BID_WON] is False
