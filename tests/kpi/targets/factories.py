"""Hand-built records for the sales targets and team report tests (R-KPI-4, R-KPI-3): signed
contracts with a chosen date, amount and currency, receipts, survey answers, and the
builders of the API contract and query-count tests."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from bids.models import Contract, PaymentReceipt
from kpi.models import SalesTarget, Survey, SurveyAnswer, SurveyTemplate, TeamReport
from kpi.periods import Period
from tests.bids.contracts.factories import accepted_version
from tests.bids.payments.factories import instalments, quick_signed
from tests.factories import CustomerFactory, OpportunityFactory, TeamFactory, UserFactory


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def opportunity_of(rep, team=None, **kwargs):
    team = team or rep.team
    return OpportunityFactory(team=team, customer=CustomerFactory(team=team), sales_owner=rep, **kwargs)


def signed(
    rep,
    *,
    on: date,
    amount: str = "1000.00",
    currency: str = "CNY",
    rate: str | None = None,
    team=None,
    status: str = "signed",
) -> Contract:
    """A contract of an opportunity of ``rep`` signed on ``on`` at ``amount`` ``currency``."""
    opportunity = opportunity_of(rep, team, stage="contract")
    version = accepted_version(opportunity)
    return Contract.objects.create(
        opportunity=opportunity,
        solution_version=version,
        title=f"Contract {opportunity.pk}",
        party_customer="Customer",
        party_company="Us",
        status=status,
        signed_on=on if status == "signed" else None,
        signing_method="seal" if status == "signed" else "",
        amount=Decimal(amount),
        currency=currency,
        fx_rate_to_cny=Decimal(rate) if rate else None,
        created_by=rep,
    )


def receipt(contract: Contract, *, on: date, amount: str, recorder, reverses=None) -> PaymentReceipt:
    """A receipt (or the reversal of ``reverses``) on the contract's first instalment, built
    directly: the aggregate reads the rows whatever wrote them."""
    from bids.models import PaymentInstalment, PaymentPlan

    plan, _ = PaymentPlan.objects.get_or_create(contract=contract, defaults={"amount": contract.amount})
    instalment = PaymentInstalment.objects.filter(plan=plan).first() or PaymentInstalment.objects.create(
        plan=plan, label="All", percentage=Decimal("100"), amount_due=contract.amount
    )
    return PaymentReceipt.objects.create(
        instalment=instalment,
        kind="reversal" if reverses else "receipt",
        reverses=reverses,
        amount=Decimal(amount),
        received_on=on,
        method="bank_transfer",
        recorded_by=recorder,
    )


def satisfaction(opportunity, *, score: int, on: date, measure: str = "satisfaction") -> SurveyAnswer:
    template, _ = SurveyTemplate.objects.get_or_create(name="After acceptance", purpose="after_acceptance")
    survey = Survey.objects.create(
        template=template, purpose="after_acceptance", opportunity=opportunity, nonce="n", status="answered"
    )
    return SurveyAnswer.objects.create(
        survey=survey, code="overall", measure=measure, score=score, answered_at=at(on), team=opportunity.team
    )


def sales_targets(admin, team, n):
    """``n`` targets of reps of ``team`` (builder of the API tests)."""
    period = Period.current()
    return [
        SalesTarget.objects.create(
            period_kind=period.kind,
            period_start=period.start,
            person=UserFactory(team=team, roles=["sales_rep"]),
            metric="amount_signed",
            target=Decimal("1000.00"),
            set_by=admin,
        )
        for _ in range(n)
    ]


def team_reports(admin, team, n):
    """``n`` draft reports of ``team`` for the months before this one."""
    month = Period.current()
    return [
        TeamReport.objects.create(
            team=TeamFactory(name=f"{team.name} report {i}"),
            month=month.previous(i + 1).start,
            author=admin,
            summary="S",
        )
        for i in range(n)
    ]


KPI_TARGETS_BUILDERS = {"kpi.salestarget": sales_targets, "kpi.teamreport": team_reports}

__all__ = ["KPI_TARGETS_BUILDERS", "instalments", "quick_signed"]
