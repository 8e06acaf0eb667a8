"""Record builders of the tenders area for the API contract and query-count tests:
``(admin, team, n) -> n records`` on ``n`` tender opportunities of ``team``."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from bids.models import Bid, BidDecision, Tender
from tests.factories import CustomerFactory, OpportunityFactory


def _opportunities(admin, team, n, stage="demo"):
    customer = CustomerFactory(team=team)
    return OpportunityFactory.create_batch(
        n, team=team, customer=customer, sales_owner=admin, presales_owner=admin, stage=stage, has_tender=True
    )


def bid_decisions(admin, team, n):
    return [
        BidDecision.objects.create(opportunity=o, analysis="評分辦法", strategy="技術優先")
        for o in _opportunities(admin, team, n)
    ]


def tenders(admin, team, n):
    deadline = timezone.now() + timedelta(days=10)
    return [
        Tender.objects.create(
            opportunity=o,
            issuer="採購中心",
            number=f"ZB-{o.pk}",
            submission_deadline=deadline,
            opening_at=deadline + timedelta(days=1),
        )
        for o in _opportunities(admin, team, n)
    ]


def bids(admin, team, n):
    return [
        Bid.objects.create(opportunity=o, summary="投標文件", created_by=admin)
        for o in _opportunities(admin, team, n, stage="bid")
    ]


TENDERS_BUILDERS = {
    "bids.biddecision": bid_decisions,
    "bids.tender": tenders,
    "bids.bid": bids,
}
