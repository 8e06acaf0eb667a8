"""Builders of the risk register tests (R-RISK-1): risks and credit assessments recorded
through the services, and the records behind the API contract and query-count tests."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from bids.risks import services


def credit_assessed(opportunity, actor=None):
    """A valid credit assessment of ``opportunity`` (R-RISK-1), recorded by ``actor`` (the
    sales owner unless given): what a contract needs before it goes to approval."""
    actor = actor or opportunity.sales_owner or opportunity.presales_owner
    return services.credit_assessment_record(
        actor=actor,
        opportunity=opportunity,
        data={"rating": "A", "credit_limit": Decimal("1000000.00"), "payment_history": "On time."},
    )


def risk(actor, opportunity, *, likelihood=2, impact=2, **data):
    values = {
        "category": "customer",
        "title": "Budget not approved",
        "likelihood": likelihood,
        "impact": impact,
        "review_on": timezone.localdate() + timedelta(days=14),
        **data,
    }
    return services.risk_create(actor=actor, opportunity=opportunity, data=values)


def _opportunities(admin, team, n):
    from tests.factories import CustomerFactory, OpportunityFactory

    customer = CustomerFactory(team=team)
    return OpportunityFactory.create_batch(
        n, team=team, customer=customer, sales_owner=admin, presales_owner=admin, stage="contract"
    )


def risks(admin, team, n):
    (opportunity,) = _opportunities(admin, team, 1)
    return [risk(admin, opportunity, likelihood=1 + i % 5, title=f"Risk {i}") for i in range(n)]


def credit_assessments(admin, team, n):
    return [credit_assessed(o, admin) for o in _opportunities(admin, team, n)]


RISKS_BUILDERS = {
    "bids.risk": risks,
    "bids.creditassessment": credit_assessments,
}
