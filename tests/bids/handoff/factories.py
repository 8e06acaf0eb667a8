"""Record builders of the handoff area for the API contract and query-count tests:
``(admin, team, n) -> n records`` on ``n`` signed contracts of ``team`` (R-HAND-1..3).
Rows are written directly (the services are tested in tests/bids/handoff): these tests
build hundreds of records and only read them back."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from bids.models import CustomerAcceptance, Handoff, Rectification
from tests.bids.contracts.factories import signed_contract
from tests.factories import CustomerFactory, OpportunityFactory


def handoffs(admin, team, n):
    made = []
    customer = CustomerFactory(team=team)
    for _ in range(n):
        opportunity = OpportunityFactory(
            team=team, customer=customer, sales_owner=admin, presales_owner=admin, stage="contract"
        )
        contract = signed_contract(opportunity)
        made.append(
            Handoff.objects.create(
                contract=contract,
                opportunity=opportunity,
                package={"contract": {"title": contract.title}, "sections": []},
            )
        )
    return made


def acceptances(admin, team, n):
    """A pending product acceptance (goods received today) on each of ``n`` handoffs."""
    return [
        CustomerAcceptance.objects.create(
            handoff=h, kind="product", received_on=timezone.localdate(), recorded_by=admin
        )
        for h in handoffs(admin, team, n)
    ]


def rectifications(admin, team, n):
    """An open rectification after a failed service acceptance on each of ``n`` handoffs."""
    today = timezone.localdate()
    due = timezone.now() + timedelta(hours=24)
    made = []
    for h in handoffs(admin, team, n):
        acceptance = CustomerAcceptance.objects.create(
            handoff=h, kind="service", result="failed", accepted_on=today, recorded_by=admin
        )
        made.append(
            Rectification.objects.create(acceptance=acceptance, items="Rectify", owner=admin, due_at=due)
        )
    return made


HANDOFF_BUILDERS = {
    "bids.handoff": handoffs,
    "bids.customeracceptance": acceptances,
    "bids.rectification": rectifications,
}
