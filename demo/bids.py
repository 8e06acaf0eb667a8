"""Demo data of the tenders area (issue 11): the bid decision before the bid stage (R-BID-5)
and, for a deal that goes on to the contract, its tender, a bid approved by its review,
sealed before the deadline and won (R-BID-1, R-BID-2, R-BID-4, R-REV-3); for a deal lost at
the bid, a Hong Kong tender lost to a named winner at a known price (``lose_bid``). Each bid
has its three parts (drafted from the approved solution version and its quote) and defence
questions, one answered from the library: the knowledge base's reusable bid answers, the
library's own seeded here as such (R-BID-3, R-KB-1; found again by their question, so a
second load adds none). Everything through the services, as a user would."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from bids.biddocs import services as documents
from bids.tenders import services
from bids.tenders.choices import Decision, PartKind
from knowledge import services as knowledge
from knowledge.choices import ArticleKind
from knowledge.models import Article, bid_question_fields
from leads.choices import Industry
from opportunities.choices import CloseReason
from opportunities.models import Opportunity
from presales.core.errors import DomainError
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
    prepare_bid(ctx, bid, author)
    services.bid_submit(actor=author, bid=bid)
    _approve(bid)
    services.bid_seal(actor=author, bid=bid)
    services.bid_record_result(actor=author, bid=bid, won=True, winning_vendor="本公司 Us")


def lose_bid(ctx, opportunity: Opportunity, author) -> bool:
    """R-BID-4: a bid through its review, sealed and LOST to a named winner at a known price
    (the opportunity closes as lost with the reason). Returns False when the deal has no
    tender (the caller then closes it with the plain "mark_lost" move)."""
    if not opportunity.has_tender:
        return False
    deadline = timezone.now() + timedelta(days=7)
    services.tender_save(
        actor=author,
        opportunity=opportunity,
        data={
            "issuer": "香港医院管理局 Hospital Authority",
            "number": f"HA-{opportunity.pk:05d}",
            "time_zone": "Asia/Hong_Kong",
            "questions_until": deadline - timedelta(days=3),
            "submission_deadline": deadline,
            "opening_at": deadline + timedelta(hours=2),
        },
    )
    bid = services.bid_save(
        actor=author, opportunity=opportunity, data={"summary": "投标文件。Bid document."}
    )
    prepare_bid(ctx, bid, author)
    services.bid_submit(actor=author, bid=bid)
    _approve(bid)
    services.bid_seal(actor=author, bid=bid)
    services.bid_record_result(
        actor=author,
        bid=bid,
        won=False,
        winning_vendor="东方智控 Dongfang Zhikong",
        winning_price="344400.00",
        reason=CloseReason.PRICE,
        note="竞争对手报价低 18%。The winner's price was 18 % lower.",
    )
    return True


LIBRARY = [
    (
        "智能制造 MES",
        Industry.MANUFACTURING,
        "系统如何与现有 ERP 对接？How does the system integrate with the existing ERP?",
        "提供标准 REST 接口与中间表两种方式，已在 12 家工厂上线。Standard REST or staging tables; live in 12 plants.",
    ),
    (
        "",
        Industry.EDUCATION,
        "数据是否存储在境内？Is the data stored in China?",
        "全部部署在客户机房或境内云，符合个人信息保护法。On premises or a domestic cloud, PIPL compliant.",
    ),
]


def prepare_bid(ctx, bid, author) -> None:
    """R-BID-1: the technical part drafted from the approved solution version, the price part
    from its quote, the commercial part written; R-BID-3: defence questions, one answered from
    the library."""
    parts = {part.kind: part for part in documents.parts_ensure(bid)}
    for kind in (PartKind.TECHNICAL, PartKind.PRICE):
        try:
            documents.part_draft(actor=author, part=parts[kind])
        except DomainError:
            documents.part_revise(actor=author, part=parts[kind], content=f"<p>{kind.label}</p>")
    documents.part_revise(
        actor=author,
        part=parts[PartKind.COMMERCIAL],
        content=(
            "<h2>商务部分 Commercial part</h2><ul><li>营业执照、资质证书 Licence and certificates</li>"
            "<li>付款：30/60/10 Payment 30/60/10</li><li>质保三年 Three-year warranty</li></ul>"
        ),
    )
    manager = ctx.users["presales_manager"]
    answers = []
    for product, industry, question, answer in LIBRARY:
        title = bid_question_fields(question)["title"]
        existing = Article.objects.filter(kind=ArticleKind.BID_ANSWER, title=title).first()
        answers.append(
            existing
            or knowledge.bid_answer_save(
                actor=manager,
                data={"product": product, "industry": industry, "question": question, "answer": answer},
            )
        )
    first = documents.question_save(
        actor=author, bid=bid, data={"question": answers[0].question, "owner": author}
    )
    documents.question_use_answer(actor=author, question=first, answer=answers[0])
    documents.question_save(
        actor=author,
        bid=bid,
        data={"question": "实施团队有几人驻场？How many engineers stay on site?", "owner": manager},
    )


def _approve(bid) -> None:
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


def review_decide_approve(task, review, checks) -> None:
    from reviews.services import review_decide

    review_decide(
        actor=task.approver, review=review, decision=ReviewDecision.APPROVE, comment="同意。", checks=checks
    )
