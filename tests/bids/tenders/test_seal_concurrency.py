"""Two people seal the same approved bid at the same moment: exactly one seal (R-BID-2).

The first thread takes the opportunity's row lock (the first lock of ``bid_seal``) and holds
it until PostgreSQL shows the second waiting for it; the second then re-reads the bid under
the lock, finds it sealed and is refused with the reason."""

import pytest

from bids.models import Bid
from bids.tenders import services
from bids.tenders.choices import BidStatus, Decision
from opportunities.services import opportunity_move
from presales.core.errors import GateRefused
from reviews.models import Review
from tests.bids.tenders.conftest import approve, fill_parts, tender_data
from tests.concurrency import PauseAfterFirstLock, run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)


def test_r_bid_2_concurrent_seals_yield_one_winner(
    engineer, sales_rep, manager, legal, finance, opportunity, chains
):
    # given an approved bid before its deadline
    services.decision_save(actor=engineer, opportunity=opportunity, data={"analysis": "a", "strategy": "s"})
    services.decision_decide(actor=manager, opportunity=opportunity, decision=Decision.BID)
    opportunity = opportunity_move(actor=engineer, opportunity=opportunity, move="start_bid")
    services.tender_save(actor=engineer, opportunity=opportunity, data=tender_data())
    bid = services.bid_save(actor=engineer, opportunity=opportunity, data={})
    fill_parts(engineer, bid)
    services.bid_submit(actor=engineer, bid=bid)
    review = Review.objects.get(kind="bid")
    for approver in (manager, legal, finance):
        approve(review, approver)
    pause = PauseAfterFirstLock()

    def first():
        with pause.installed():
            return services.bid_seal(actor=engineer, bid=bid)

    def second():
        pause.holding.wait(timeout=30)
        return services.bid_seal(actor=sales_rep, bid=bid)

    # when both seal at once
    outcomes = run_in_threads(first, second)
    # then the second waited behind the first and was refused with the reason
    assert pause.waited == [True]
    assert isinstance(outcomes[0], Bid)
    assert isinstance(outcomes[1], GateRefused)
    assert any("approve" in reason for reason in outcomes[1].reasons)
    assert Bid.objects.get(pk=bid.pk).status == BidStatus.SEALED
