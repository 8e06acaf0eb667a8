"""Factories of the needs analysis (R-NEED)."""

import uuid
from datetime import timedelta

import factory
from django.utils import timezone

from proposals.models import (
    ConfirmationRequest,
    NeedsAnalysis,
    NeedsReport,
    OpportunityCommunication,
    RDRequest,
    Requirement,
)
from tests.factories import (
    CommunicationFactory,
    ContactFactory,
    CustomerFactory,
    OpportunityFactory,
    UserFactory,
)


class RequirementFactory(factory.django.DjangoModelFactory):
    """A requirement written directly (tests that need a starting point); numbers follow the
    sequence, the code under test allocates them through the services."""

    class Meta:
        model = Requirement

    opportunity = factory.SubFactory(OpportunityFactory)
    number = factory.Sequence(lambda n: n + 1)
    position = factory.SelfAttribute("number")
    kind = "rigid"
    category = "performance"
    description = "降低生產線能耗30%"
    priority = "high"
    key_metric = "energy -30%"
    created_by = factory.SubFactory(UserFactory, roles=["presales_engineer"])


def confirmed_needs(opportunity) -> Requirement:
    """A rigid requirement the customer confirmed: what R-NEED-4 asks before the solution
    stage, for tests of other rules that move an opportunity on."""
    return RequirementFactory(
        opportunity=opportunity,
        created_by=opportunity.presales_owner or UserFactory(roles=["presales_engineer"]),
        confirmation_status="confirmed",
        confirmed_by_name="王經理",
        confirmation_method="email",
    )


def _opportunity_of(admin, team):
    return OpportunityFactory(
        team=team,
        customer=CustomerFactory(team=team),
        sales_owner=admin,
        presales_owner=admin,
        stage="needs_analysis",
    )


def _requirements(admin, team, n):
    opportunity = _opportunity_of(admin, team)
    return [RequirementFactory(opportunity=opportunity, created_by=admin) for _ in range(n)]


def _analyses(admin, team, n):
    return [NeedsAnalysis.objects.create(opportunity=_opportunity_of(admin, team)) for _ in range(n)]


def _confirmation_requests(admin, team, n):
    rows = []
    for _ in range(n):
        opportunity = _opportunity_of(admin, team)
        requirement = RequirementFactory(opportunity=opportunity, created_by=admin)
        rows.append(
            ConfirmationRequest.objects.create(
                opportunity=opportunity,
                contact=ContactFactory(customer=opportunity.customer),
                token_hash=uuid.uuid4().hex * 2,
                requirement_ids=[requirement.pk],
                expires_at=timezone.now() + timedelta(days=7),
                sent_by=admin,
            )
        )
    return rows


def _rd_requests(admin, team, n):
    requirement = RequirementFactory(
        opportunity=_opportunity_of(admin, team), created_by=admin, feasibility="needs_rd"
    )
    return [
        RDRequest.objects.create(requirement=requirement, question="PLC?", asked_by=admin, assignee=admin)
        for _ in range(n)
    ]


def _reports(admin, team, n):
    opportunity = _opportunity_of(admin, team)
    return [
        NeedsReport.objects.create(opportunity=opportunity, number=i + 1, content={}, created_by=admin)
        for i in range(n)
    ]


def _links(admin, team, n):
    opportunity = _opportunity_of(admin, team)
    return [
        OpportunityCommunication.objects.create(
            opportunity=opportunity,
            communication=CommunicationFactory(customer=opportunity.customer, author=admin),
            purpose="meeting",
            created_by=admin,
        )
        for _ in range(n)
    ]


# ``tests/presales/api_endpoints.BUILDERS`` entries: n records of each model the admin sees.
NEEDS_BUILDERS = {
    "proposals.requirement": _requirements,
    "proposals.needsanalysis": _analyses,
    "proposals.confirmationrequest": _confirmation_requests,
    "proposals.rdrequest": _rd_requests,
    "proposals.needsreport": _reports,
    "proposals.opportunitycommunication": _links,
}
