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


def bid_parts(admin, team, n):
    from bids.biddocs.services import parts_ensure

    # Every bid gets its three parts: ceil(n / 3) bids, and the parts beyond n removed, so
    # the list holds exactly the n returned.
    parts = [part for bid in bids(admin, team, -(-n // 3)) for part in parts_ensure(bid)]
    for extra in parts[n:]:
        extra.delete()
    return parts[:n]


def bid_attachments(admin, team, n):
    from django.core.files.base import ContentFile

    from bids.models import BidAttachment

    attachments = []
    for part in bid_parts(admin, team, n):
        attachment = BidAttachment(part=part, name="a.pdf", size=10, uploaded_by=admin)
        attachment.file.save("a.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
        attachment.save()
        attachments.append(attachment)
    return attachments


def defence_questions(admin, team, n):
    from bids.models import DefenceQuestion

    return [
        DefenceQuestion.objects.create(bid=bid, question="交期？", owner=admin)
        for bid in bids(admin, team, n)
    ]


TENDERS_BUILDERS = {
    "bids.bidpart": bid_parts,
    "bids.bidattachment": bid_attachments,
    "bids.defencequestion": defence_questions,
    "bids.biddecision": bid_decisions,
    "bids.tender": tenders,
    "bids.bid": bids,
}
