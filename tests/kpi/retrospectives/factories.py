"""Record builders of retrospectives (R-POST-2) for the API contract and query-count tests:
``(admin, team, n) -> n records``, written directly (the services are tested beside this)."""

from __future__ import annotations

from django.utils import timezone

from kpi.models import Retrospective
from tests.factories import CustomerFactory, OpportunityFactory


def retrospectives(admin, team, n):
    now = timezone.now()
    customer = CustomerFactory(team=team)
    made = []
    for _ in range(n):
        opportunity = OpportunityFactory(
            team=team,
            customer=customer,
            sales_owner=admin,
            presales_owner=admin,
            stage="lost",
            close_reason="price",
            closed_at=now,
        )
        made.append(
            Retrospective.objects.create(
                opportunity=opportunity, outcome="lost", closed_at=now, due_on=timezone.localdate()
            )
        )
    return made


RETROSPECTIVE_BUILDERS = {"kpi.retrospective": retrospectives}
