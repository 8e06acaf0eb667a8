"""Factories of the contracts tests: an opportunity whose customer accepted a version (R-SOL-6)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from proposals.models import Acceptance, SolutionVersion
from tests.proposals.solutions.factories import (
    QuoteLineFactory,
    SectionFactory,
    SolutionFactory,
    SolutionVersionFactory,
)


def accepted_version(
    opportunity,
    *,
    prices: tuple[Decimal, ...] = (Decimal("1000.00"),),
    currency: str = "CNY",
    rate: Decimal | None = None,
    lines: tuple[dict, ...] = (),
    sections: tuple[tuple[str, str], ...] = (),
) -> SolutionVersion:
    """An approved version of ``opportunity`` with one quote line per price (quantity 1,
    without tax at 0 %) and the ``(kind, html)`` sections given, accepted by the customer;
    the customer's credit assessed (R-RISK-1), so that a contract drawn from it may be
    submitted."""
    solution = SolutionFactory(opportunity=opportunity, created_by=opportunity.sales_owner)
    version = SolutionVersionFactory(
        solution=solution,
        number=1,
        author=opportunity.sales_owner,
        status="draft",
        currency=currency,
        fx_rate_to_cny=rate,
    )
    specs = lines or tuple({"unit_price": price} for price in prices)
    for position, spec in enumerate(specs):
        values = {"quantity": Decimal("1"), "unit_cost": Decimal("1.00"), "tax_rate": Decimal("0.00"), **spec}
        QuoteLineFactory(solution_version=version, position=position, **values)
    for position, (kind, html) in enumerate(sections):
        SectionFactory(solution_version=version, position=position, kind=kind, body_html=html)
    # approved once its quote is written (an approved version's content is frozen)
    SolutionVersion.objects.filter(pk=version.pk).update(status="approved")
    version.refresh_from_db()
    Acceptance.objects.create(
        opportunity=opportunity,
        solution_version=version,
        contact_name="王經理",
        method="email",
        accepted_at=timezone.now(),
        recorded_by=opportunity.sales_owner,
    )
    # R-RISK-1: the customer's credit is assessed before a contract goes to approval.
    from tests.bids.risks.factories import credit_assessed

    credit_assessed(opportunity)
    return version


def sign_data(**overrides):
    data = {
        "customer_signatory_name": "王經理",
        "customer_signatory_title": "采购部经理",
        "customer_authorisation_ref": "授權委託書 2026-041",
        "our_signatory_name": "李总",
        "our_signatory_capacity": "authorised",
        "signing_method": "seal",
        "signed_on": timezone.localdate(),
    }
    data.update(overrides)
    return data


def signed_contract(opportunity):
    """A signed contract of ``opportunity`` (R-CON-3), for tests of other areas that move it
    through the handoff gate; drawn from one of its versions (an accepted one is made if it
    has none)."""
    from bids.models import Contract

    version = SolutionVersion.objects.filter(solution__opportunity=opportunity).first()
    if version is None:
        version = accepted_version(opportunity)
    return Contract.objects.create(
        opportunity=opportunity,
        solution_version=version,
        title=opportunity.title,
        party_customer=str(opportunity.customer),
        party_company="Our company",
        created_by=opportunity.sales_owner,
        status="signed",
        signing_method="seal",
        signed_on=timezone.localdate(),
    )


def _draft_contract(admin, team):
    from bids.contracts.services import contract_create
    from tests.factories import CustomerFactory, OpportunityFactory

    opportunity = OpportunityFactory(
        team=team,
        customer=CustomerFactory(team=team),
        sales_owner=admin,
        presales_owner=admin,
        stage="contract",
    )
    accepted_version(opportunity)
    return contract_create(actor=admin, opportunity=opportunity)


def negotiation_minutes(admin, team, n):
    """``n`` minutes of one draft contract of ``team`` (R-CON-5)."""
    from bids.contracts.services import negotiation_minute_record

    contract = _draft_contract(admin, team)
    data = {
        "held_on": timezone.localdate(),
        "our_attendees": "Li",
        "customer_attendees": "Wang",
        "summary": "Met.",
    }
    return [negotiation_minute_record(actor=admin, contract=contract, data=data) for _ in range(n)]


def clause_changes(admin, team, n):
    """``n`` changes waiting for the customer's confirmation (R-CON-5), one per term of as
    many draft contracts of ``team`` as needed."""
    from bids.contracts.services import NEGOTIATED_FIELDS
    from bids.models import ClauseChange

    changes = []
    contract = None
    for i in range(n):
        if i % len(NEGOTIATED_FIELDS) == 0:
            contract = _draft_contract(admin, team)
        changes.append(
            ClauseChange.objects.create(
                contract=contract,
                field=NEGOTIATED_FIELDS[i % len(NEGOTIATED_FIELDS)],
                before="a",
                after="b",
                status_at_change="rejected",
                changed_by=admin,
            )
        )
    return changes


CLAUSES_BUILDERS = {
    "bids.negotiationminute": negotiation_minutes,
    "bids.clausechange": clause_changes,
}
