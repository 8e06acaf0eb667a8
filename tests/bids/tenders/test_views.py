"""The bids tab of the opportunity desk (R-BID-5, R-BID-1, R-BID-2): forms call the services;
refusals are shown, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bids.models import BidDecision, Tender
from bids.tenders.choices import Decision
from opportunities.choices import Stage

pytestmark = pytest.mark.django_db


def _action(opportunity, action):
    return reverse("bids:tender-action", args=[opportunity.pk, action])


def test_r_bid_5_desk_decision_forms(client, engineer, manager, opportunity):
    client.force_login(engineer)
    page = client.get(opportunity.get_absolute_url()).content.decode()
    assert 'data-testid="desk-bids"' in page
    response = client.post(_action(opportunity, "decision"), {"analysis": "評分", "strategy": "策略"})
    assert response.status_code == 302
    # an engineer's "decide" is refused with a message, nothing decided
    client.post(_action(opportunity, "decide"), {"decision": "bid"})
    assert BidDecision.objects.get(opportunity=opportunity).decision == Decision.PENDING
    client.force_login(manager)
    client.post(
        _action(opportunity, "decide"), {"decision": "no_bid", "reason": "resources", "note": "人手不足"}
    )
    opportunity.refresh_from_db()
    assert opportunity.stage == Stage.ABANDONED and opportunity.close_reason == "resources"


def test_r_bid_1_desk_tender_form_bad_input_is_a_message_not_500(client, engineer, opportunity):
    client.force_login(engineer)
    response = client.post(
        _action(opportunity, "tender"),
        {"issuer": "中心", "number": "ZB-1", "submission_deadline": "not a date", "bond_amount": "x"},
        follow=True,
    )
    assert response.status_code == 200
    assert not Tender.objects.filter(opportunity=opportunity).exists()
    response = client.post(
        _action(opportunity, "tender"),
        {
            "issuer": "中心",
            "number": "ZB-1",
            "submission_deadline": "2030-01-10T10:00",
            "opening_at": "2030-01-11T10:00",
        },
        follow=True,
    )
    assert Tender.objects.get(opportunity=opportunity).number == "ZB-1"
    assert 'data-testid="tender"' in response.content.decode()


def test_desk_actions_refuse_other_teams(client, other_engineer, opportunity):
    client.force_login(other_engineer)
    assert (
        client.post(_action(opportunity, "decision"), {"analysis": "a", "strategy": "s"}).status_code == 404
    )
    assert client.post(_action(opportunity, "nonsense"), {}).status_code == 404


def test_r_bid_2_admin_cannot_seal_or_decide(client, engineer, opportunity):
    """Bypass through the admin: bids, decisions and tenders are read-only there."""
    from bids.models import Bid
    from bids.tenders.choices import BidStatus
    from tests.factories import UserFactory

    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    decision = BidDecision.objects.create(opportunity=opportunity, analysis="a", strategy="s")
    bid = Bid.objects.create(opportunity=opportunity, created_by=engineer)
    assert client.get("/admin/bids/bid/add/").status_code == 403
    assert client.post(f"/admin/bids/bid/{bid.pk}/change/", {"status": "sealed"}).status_code == 403
    assert (
        client.post(f"/admin/bids/biddecision/{decision.pk}/change/", {"decision": "bid"}).status_code == 403
    )
    assert client.get("/admin/bids/tender/add/").status_code == 403
    assert client.get(f"/admin/bids/bid/{bid.pk}/change/").status_code == 200
    assert Bid.objects.get(pk=bid.pk).status == BidStatus.DRAFT
    assert BidDecision.objects.get(pk=decision.pk).decision == Decision.PENDING


def test_r_bid_4_closing_withdraws_the_bid_review_and_stops_the_deadline_timer(
    engineer, manager, legal, finance, opportunity, chains
):
    """Close hook: an abandoned opportunity's bid review is withdrawn, its deadline timer cancelled."""
    from django.contrib.contenttypes.models import ContentType

    from bids.models import Bid
    from bids.tenders import services
    from bids.tenders.choices import BidStatus
    from opportunities.services import opportunity_move
    from presales.sla.models import Timer
    from reviews.models import Review
    from tests.bids.tenders.conftest import fill_parts, tender_data

    services.decision_save(actor=engineer, opportunity=opportunity, data={"analysis": "a", "strategy": "s"})
    services.decision_decide(actor=manager, opportunity=opportunity, decision=Decision.BID)
    opportunity_move(actor=engineer, opportunity=opportunity, move="start_bid")
    tender = services.tender_save(actor=engineer, opportunity=opportunity, data=tender_data())
    bid = services.bid_save(actor=engineer, opportunity=opportunity, data={})
    fill_parts(engineer, bid)
    services.bid_submit(actor=engineer, bid=bid)
    opportunity_move(actor=engineer, opportunity=opportunity, move="abandon", reason="budget")
    assert Bid.objects.get(pk=bid.pk).status == BidStatus.DRAFT
    assert Review.objects.get(kind="bid").status == "cancelled"
    timers = Timer.objects.filter(
        subject_type=ContentType.objects.get_for_model(Tender), subject_id=tender.pk
    )
    assert {t.kind for t in timers} == {
        "tender_deadline",
        "tender_documents_purchase",
        "tender_clarification",
        "tender_result",
    }
    assert {t.state for t in timers} == {"cancelled"}
