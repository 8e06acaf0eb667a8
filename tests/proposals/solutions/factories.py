"""Factories of the solutions tests (requirements come from the needs area's model)."""

from __future__ import annotations

from decimal import Decimal

import factory

from proposals.models import (
    QuoteLine,
    Requirement,
    Solution,
    SolutionAnswer,
    SolutionSection,
    SolutionVersion,
)
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


def _draft_versions(admin, team, n):
    versions = []
    for _ in range(n):
        opportunity = OpportunityFactory(team=team, sales_owner=admin, presales_owner=admin, stage="solution")
        solution = SolutionFactory(opportunity=opportunity, created_by=admin)
        versions.append(SolutionVersionFactory(solution=solution, number=1, author=admin))
    return versions


def _answers(admin, team, n):
    answers = []
    for version in _draft_versions(admin, team, n):
        section = SectionFactory(solution_version=version)
        requirement = RequirementFactory(opportunity=version.solution.opportunity, created_by=admin)
        answers.append(
            SolutionAnswer.objects.create(solution_version=version, requirement=requirement, section=section)
        )
    return answers


# Record builders of the API contract and query-count tests (tests/presales/api_endpoints.py).
SOLUTION_BUILDERS = {
    "proposals.solution": lambda admin, team, n: [v.solution for v in _draft_versions(admin, team, n)],
    "proposals.solutionversion": _draft_versions,
    "proposals.solutionsection": lambda admin, team, n: [
        SectionFactory(solution_version=v) for v in _draft_versions(admin, team, n)
    ],
    "proposals.quoteline": lambda admin, team, n: [
        QuoteLineFactory(solution_version=v) for v in _draft_versions(admin, team, n)
    ],
    "proposals.solutionanswer": _answers,
}


def grow_solution(opportunity, author) -> SolutionVersion:
    """One unit of solution data on ``opportunity`` for the scale tests: a draft version
    with a section, a quote line and a requirement answered by the section."""
    solution = SolutionFactory(opportunity=opportunity, created_by=author)
    version = SolutionVersionFactory(solution=solution, number=1, author=author)
    section = SectionFactory(solution_version=version, writer=author)
    QuoteLineFactory(solution_version=version)
    # numbered after the opportunity's requirements (each area's factory has its own sequence)
    last = opportunity.requirements.order_by("-number").values_list("number", flat=True).first() or 0
    requirement = RequirementFactory(opportunity=opportunity, created_by=author, number=last + 1)
    SolutionAnswer.objects.create(solution_version=version, requirement=requirement, section=section)
    return version
