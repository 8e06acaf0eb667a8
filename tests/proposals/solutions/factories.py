"""Factories of the solutions tests (requirements come from the needs area's model)."""

from __future__ import annotations

from decimal import Decimal

import factory

from proposals.models import QuoteLine, Requirement, Solution, SolutionSection, SolutionVersion
from tests.factories import OpportunityFactory, UserFactory


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Requirement

    opportunity = factory.SubFactory(OpportunityFactory)
    number = factory.Sequence(lambda n: n + 1)
    position = factory.LazyAttribute(lambda o: o.number)
    kind = "rigid"
    category = "performance"
    description = "降低生產線能耗30%"
    created_by = factory.SubFactory(UserFactory)


class SolutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Solution

    opportunity = factory.SubFactory(OpportunityFactory)
    title = factory.Sequence(lambda n: f"Energy saving solution {n}")
    created_by = factory.SubFactory(UserFactory)


class SolutionVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SolutionVersion

    solution = factory.SubFactory(SolutionFactory)
    number = factory.Sequence(lambda n: n + 1)
    author = factory.SubFactory(UserFactory)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SolutionSection

    solution_version = factory.SubFactory(SolutionVersionFactory)
    kind = "background"
    body_html = "<p>Background of the line upgrade.</p>"


class QuoteLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuoteLine

    solution_version = factory.SubFactory(SolutionVersionFactory)
    kind = "hardware"
    item = factory.Sequence(lambda n: f"Energy meter {n}")
    quantity = Decimal("10")
    unit = "pcs"
    unit_cost = Decimal("700.00")
    unit_price = Decimal("1000.00")
    tax_rate = Decimal("13.00")
    tax_inclusive = False


def approved_solution(opportunity, status: str = "approved") -> SolutionVersion:
    """An opportunity's solution with one version already decided (``status``), for tests of
    other areas that move the opportunity through the review and demo gates (R-SOL-5)."""
    solution = SolutionFactory(opportunity=opportunity, created_by=opportunity.sales_owner)
    return SolutionVersionFactory(solution=solution, number=1, author=opportunity.sales_owner, status=status)
