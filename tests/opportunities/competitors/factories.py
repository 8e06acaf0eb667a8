"""Builders of the competitor tests (R-COMP-1) and of the API contract and query-count tests."""

from __future__ import annotations

from itertools import count

from opportunities.competitors import services
from opportunities.models import Competitor, OpportunityCompetitor

_NUMBERS = count(1)


def competitors(admin, team, n) -> list[Competitor]:
    return [
        services.competitor_create(actor=admin, data={"name": f"Vendor {next(_NUMBERS)}"}) for _ in range(n)
    ]


def opportunity_competitors(admin, team, n) -> list[OpportunityCompetitor]:
    from tests.factories import CustomerFactory, OpportunityFactory

    customer = CustomerFactory(team=team)
    opportunities = OpportunityFactory.create_batch(
        n, team=team, customer=customer, sales_owner=admin, presales_owner=admin, competitors=[]
    )
    return [
        services.opportunity_competitor_add(
            actor=admin, opportunity=o, name=f"Rival {o.pk}", data={"offer": "x"}
        )
        for o in opportunities
    ]


COMPETITOR_BUILDERS = {
    "opportunities.competitor": competitors,
    "opportunities.opportunitycompetitor": opportunity_competitors,
}
