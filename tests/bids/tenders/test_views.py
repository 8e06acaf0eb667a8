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
