"""Fixtures of the demos tests: an opportunity of ``team`` owned by ``engineer``, an approved
solution version on it, two customer contacts."""

from __future__ import annotations

import pytest

from tests.factories import ContactFactory, OpportunityFactory
from tests.proposals.demos.factories import RequirementFactory, SolutionFactory, SolutionVersionFactory


@pytest.fixture
def opportunity(team, engineer, sales_rep):
    return OpportunityFactory(team=team, presales_owner=engineer, sales_owner=sales_rep, stage="demo")


@pytest.fixture
def version(opportunity, engineer):
    solution = SolutionFactory(opportunity=opportunity, created_by=engineer)
    return SolutionVersionFactory(solution=solution, author=engineer)


@pytest.fixture
def contacts(opportunity):
    return [
        ContactFactory(customer=opportunity.customer, name="王經理"),
        ContactFactory(customer=opportunity.customer),
    ]


@pytest.fixture
def requirement(opportunity):
    return RequirementFactory(opportunity=opportunity)
