"""Shared setup of the solutions tests: an opportunity in the solution stage with its
owners, a rigid requirement, a solution review chain (presales manager), and a helper that
writes a version ready to submit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from opportunities.choices import Stage
from presales.core.roles import Role
from proposals.solutions import services
from reviews.models import Review
from tests.factories import OpportunityFactory, ReviewChainFactory, ReviewChainStepFactory
from tests.proposals.solutions.factories import RequirementFactory


@pytest.fixture
def opportunity(team, engineer, sales_rep):
    return OpportunityFactory(
        team=team, presales_owner=engineer, sales_owner=sales_rep, stage=Stage.SOLUTION, amount=1_000_000
    )


@pytest.fixture
def rigid(opportunity, engineer):
    return RequirementFactory(opportunity=opportunity, created_by=engineer, kind="rigid")


@pytest.fixture
def chain(db):
    chain = ReviewChainFactory(kind="solution_version")
    ReviewChainStepFactory(chain=chain, order=1, approver_role=Role.PRESALES_MANAGER)
    return chain


@pytest.fixture
def reviewer(manager):
    """The presales manager of the team: the chain's one approver."""
    return manager


LINE = {
    "kind": "hardware",
    "item": "Energy meter",
    "quantity": Decimal("10"),
    "unit": "pcs",
    "unit_cost": Decimal("700.00"),
    "unit_price": Decimal("1000.00"),
    "tax_rate": Decimal("13.00"),
    "tax_inclusive": False,
}


@pytest.fixture
def write_version(engineer):
    """A draft version with a written section, a quote line and every rigid requirement
    answered by the section."""

    def write(opportunity, actor=None):
        actor = actor or engineer
        solution = services.solution_create(actor=actor, opportunity=opportunity, title="Line upgrade")
        version = solution.versions.get()
        section = services.section_create(
            actor=actor,
            version=version,
            kind="background",
            data={"body_html": "<p>Two lines, 30% less energy.</p>"},
        )
        services.line_create(actor=actor, version=version, data=dict(LINE))
        for requirement in opportunity.requirements.filter(kind="rigid"):
            services.answer_create(
                actor=actor,
                version=version,
                data={"requirement": requirement, "section": section, "note": ""},
            )
        version.refresh_from_db()
        return version

    return write


def review_of(version) -> Review:
    return Review.objects.filter(kind="solution_version", object_id=version.pk).latest("id")
