"""The demo's contracts (R-SOL-6, R-CON-3): a deal that reaches handoff has its accepted
version, a contract drawn from it, approved through the contract chain and signed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from bids.contracts import services as contracts
from bids.risks import services as risks
from opportunities.models import Opportunity
from presales.accounts.models import User
from proposals.models import Acceptance, SolutionVersion
from proposals.solutions import services as solutions
from reviews.choices import Decision
from reviews.models import Review, ReviewTask
from reviews.services import review_decide


def _assess_credit(opportunity: Opportunity, author: User) -> None:
    """R-RISK-1: the customer's credit is assessed before the contract goes to approval,
    and the register names a risk (a watched one, below the thresholds)."""
    risks.credit_assessment_record(
        actor=author,
        opportunity=opportunity,
        data={
            "rating": "B",
            "credit_limit": Decimal("2000000.00"),
            "payment_history": "过去三年按期付款 / Paid on time over the last three years.",
        },
    )
    risks.risk_create(
        actor=author,
        opportunity=opportunity,
        data={
            "category": "delivery",
            "title": "到货周期偏长 / Long lead time of the storage arrays",
            "likelihood": 2,
            "impact": 3,
            "response": "mitigate",
            "response_plan": "提前备货 / Order the arrays on signing.",
            "review_on": timezone.localdate() + timedelta(days=30),
        },
    )


def _approve_all(contract, *, before_general_manager: bool = False) -> None:
    """Every step of the contract's review approves, each by its first pending approver;
    with ``before_general_manager`` the general manager's step (the one with an amount
    condition, R-REV-4) is left waiting."""
    review = Review.objects.filter(kind=contracts.REVIEW_KIND, object_id=contract.pk).latest("id")
    for _step in range(10):
        review.refresh_from_db()
        if review.status != "in_progress":
            return
        task = ReviewTask.objects.filter(review=review, state="pending").select_related("approver").first()
        if task is None:
            return
        if before_general_manager and task.condition_min_amount is not None:
            return
        checks = {code: {"ok": True, "comment": ""} for code, _label in task.check_item_labels}
        review_decide(
            actor=task.approver,
            review=review,
            decision=Decision.APPROVE,
            comment="同意。Approved.",
            checks=checks,
        )


def _accept(opportunity: Opportunity, author: User, version: SolutionVersion) -> None:
    version.refresh_from_db()
    if not Acceptance.objects.filter(opportunity=opportunity, superseded_at__isnull=True).exists():
        if version.presented_at is None:
            version = solutions.version_mark_presented(actor=author, version=version)
        solutions.acceptance_record(
            actor=author,
            version=version,
            data={
                "contact_name": "客户采购部 Customer purchasing",
                "method": "signature",
                "accepted_at": timezone.now(),
            },
        )


def sign_for_handoff(opportunity: Opportunity, author: User, version: SolutionVersion | None) -> None:
    """Accept ``version`` (presenting it first), draw the contract, approve and sign it."""
    if version is None:
        return
    _accept(opportunity, author, version)
    contract = contracts.contract_create(
        actor=author,
        opportunity=opportunity,
        data={
            "payment_terms": "30% 预付款, 60% 到货, 10% 验收 / 30% advance, 60% on delivery, 10% on acceptance",
            "delivery_time": "合同签订后60天 / 60 days after signing",
            "warranty": "三年 / 3 years",
            "dispute_resolution": "上海仲裁委员会 / Shanghai Arbitration Commission",
        },
    )
    _assess_credit(opportunity, author)
    contract = contracts.contract_submit(actor=author, contract=contract)
    _approve_all(contract)
    contract.refresh_from_db()
    contracts.contract_sign(
        actor=author,
        contract=contract,
        data={
            "customer_signatory_name": "周主任 Director Zhou",
            "customer_signatory_title": "信息科主任 Head of IT",
            "customer_authorisation_ref": "授權委託書 2026-07",
            "our_signatory_name": "吴总 Wu Gang",
            "our_signatory_capacity": "legal_rep",
            "signing_method": "seal",
            "signed_on": timezone.localdate(),
        },
    )


def await_general_manager(opportunity: Opportunity, author: User, version: SolutionVersion | None) -> None:
    """A contract waiting for the general manager (R-REV-4): ``version`` (whose quote should
    exceed the 10,000 CNY threshold) is accepted, the contract drawn from it starts from the
    standard clauses (R-CON-5) with a negotiated warranty, a negotiation is minuted, and the
    sales manager and legal approve; the general manager's step is left open. Nothing is done
    when the opportunity has a contract already."""
    from bids.models import Contract

    if version is None or Contract.objects.filter(opportunity=opportunity).exists():
        return
    _accept(opportunity, author, version)
    contract = contracts.contract_create(actor=author, opportunity=opportunity)
    contracts.negotiation_minute_record(
        actor=author,
        contract=contract,
        data={
            "held_on": timezone.localdate(),
            "our_attendees": "销售 Sales, 法务 Legal",
            "customer_attendees": "采购部 王经理 Purchasing, Manager Wang",
            "summary": "客户要求质保延长至24个月，同意。The customer asked for a 24-month warranty; agreed.",
        },
        terms={"warranty": "质保期为验收合格之日起24个月。 / 24 months' warranty from acceptance."},
    )
    _assess_credit(opportunity, author)
    contract = contracts.contract_submit(actor=author, contract=contract)
    _approve_all(contract, before_general_manager=True)
