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
