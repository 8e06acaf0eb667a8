"""Factories of the demos area. Solution versions are given their status directly (the
solutions area's services approve them through the review engine; here only the demo's
rules are under test)."""

from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone

from proposals.choices import VersionStatus
from proposals.models import Requirement, Solution, SolutionVersion
from tests.factories import ContactFactory, OpportunityFactory, UserFactory


class SolutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Solution

    opportunity = factory.SubFactory(OpportunityFactory)
    title = factory.Sequence(lambda n: f"产线节能方案 {n}")
    created_by = factory.SelfAttribute("opportunity.presales_owner")


class SolutionVersionFactory(factory.django.DjangoModelFactory):
    """An approved version unless ``status=`` says otherwise."""

    class Meta:
        model = SolutionVersion

    solution = factory.SubFactory(SolutionFactory)
    number = factory.Sequence(lambda n: n + 1)
    status = VersionStatus.APPROVED
    author = factory.SelfAttribute("solution.created_by")


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Requirement

    opportunity = factory.SubFactory(OpportunityFactory)
    number = factory.Sequence(lambda n: n + 1)
    kind = "rigid"
    category = "performance"
    description = "降低生產線能耗30%"
    created_by = factory.SelfAttribute("opportunity.presales_owner")


def demo_data(version: SolutionVersion, **overrides) -> dict:
    """What a caller sends to ``demo_create``: tomorrow at 10:00 UTC, 90 minutes."""
    starts = (timezone.now() + timedelta(days=1)).replace(hour=2, minute=0, second=0, microsecond=0)
    return {
        "solution_version": version,
        "title": "節能方案演示",
        "starts_at": starts,
        "duration_minutes": 90,
        "location": "客戶會議室 3F, Building A; Shanghai",
        **overrides,
    }


def trial_data(**overrides) -> dict:
    today = timezone.localdate()
    return {
        "kind": "loan",
        "items": "2 × 能耗監測終端 (demo units)",
        "purpose": "Customer measures the savings on line 2.",
        "period_start": today,
        "period_end": today + timedelta(days=14),
        "return_date": today + timedelta(days=15),
        **overrides,
    }


__all__ = [
    "ContactFactory",
    "OpportunityFactory",
    "RequirementFactory",
    "SolutionFactory",
    "SolutionVersionFactory",
    "UserFactory",
    "date",
    "demo_data",
    "trial_data",
]
