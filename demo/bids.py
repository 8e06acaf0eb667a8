"""Demo data of the tenders area (issue 11): the bid decision before the bid stage (R-BID-5)
and, for a deal that goes on to the contract, its tender, a bid approved by its review,
sealed before the deadline and won (R-BID-1, R-BID-2, R-BID-4, R-REV-3). Everything through
the services, as a user would."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from bids.tenders import services
from bids.tenders.choices import Decision
from opportunities.models import Opportunity
from reviews.choices import Decision as ReviewDecision
from reviews.models import Review, ReviewTask


def decide_bid(ctx, opportunity: Opportunity, author) -> None:
    """Marketing with presales write the analysis; the presales manager decides to bid."""
    services.decision_save(
        actor=author,
        opportunity=opportunity,
        data={
            "analysis": "综合评分法，技术分 60%，需提供同类案例三个。Scored on merit, 60% technical.",
            "strategy": "突出本地化服务与案例。Lead with local service and references.",
        },
    )
    services.decision_decide(
        actor=ctx.users["presales_manager"], opportunity=opportunity, decision=Decision.BID
    )


def win_bid(ctx, opportunity: Opportunity, author) -> None:
    """The tender, the bid through its review, sealed and won."""
    deadline = timezone.now() + timedelta(days=10)
    services.tender_save(
        actor=author,
        opportunity=opportunity,
        data={
            "issuer": "公共资源交易中心 Public Resources Trading Center",
            "number": f"ZB-{opportunity.pk:05d}",
            "submission_deadline": deadline,
            "opening_at": deadline + timedelta(days=1),
        },
    )
    bid = services.bid_save(
        actor=author, opportunity=opportunity, data={"summary": "商务、技术、报价三部分。"}
    )
    services.bid_submit(actor=author, bid=bid)
    review = Review.objects.filter(kind="bid", object_id=bid.pk).latest("id")
    for _step in range(10):
        review.refresh_from_db()
        if review.status != "in_progress":
            break
        task = ReviewTask.objects.filter(review=review, state="pending").select_related("approver").first()
        if task is None:
            break
        checks = {code: {"ok": True, "comment": ""} for code, _label in task.check_item_labels}
        review_decide_approve(task, review, checks)
    bid.refresh_from_db()
    services.bid_seal(actor=author, bid=bid)
    services.bid_record_result(actor=author, bid=bid, won=True, winning_vendor="本公司 Us")


def review_decide_approve(task, review, checks) -> None:
    from reviews.services import review_decide

    review_decide(
        actor=task.approver, review=review, decision=ReviewDecision.APPROVE, comment="同意。", checks=checks
    )
