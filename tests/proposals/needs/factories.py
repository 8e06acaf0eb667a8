"""Factories of the needs analysis (R-NEED)."""

import factory

from proposals.models import Requirement
from tests.factories import OpportunityFactory, UserFactory


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
