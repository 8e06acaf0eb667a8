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


class DemoFactory(factory.django.DjangoModelFactory):
    """A draft demo on an approved version, with the four fixed checklist lines.
    ``team=`` and ``owner=`` shape the opportunity (``owner`` presales owner and organizer)."""

    class Meta:
        model = "proposals.Demo"
        exclude = ["team", "owner"]
        skip_postgeneration_save = True

    team = factory.SubFactory("tests.factories.TeamFactory")
    owner = factory.SubFactory(UserFactory, team=factory.SelfAttribute("..team"), roles=["presales_engineer"])
    opportunity = factory.SubFactory(
        OpportunityFactory,
        team=factory.SelfAttribute("..team"),
        presales_owner=factory.SelfAttribute("..owner"),
        stage="demo",
    )
    solution_version = factory.LazyAttribute(
        lambda o: SolutionVersionFactory(
            solution=SolutionFactory(opportunity=o.opportunity, created_by=o.owner)
        )
    )
    title = factory.Sequence(lambda n: f"演示 {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=2))
    created_by = factory.SelfAttribute("owner")

    @factory.post_generation
    def checklist(self, create, extracted, **kwargs):
        if create:
            from proposals.demos.choices import FIXED_CHECKLIST
            from proposals.models import DemoChecklistItem

            DemoChecklistItem.objects.bulk_create(
                DemoChecklistItem(demo=self, kind=k) for k in FIXED_CHECKLIST
            )


class TrialRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "proposals.TrialRequest"
        exclude = ["team", "owner"]

    team = factory.SubFactory("tests.factories.TeamFactory")
    owner = factory.SubFactory(UserFactory, team=factory.SelfAttribute("..team"), roles=["presales_engineer"])
    opportunity = factory.SubFactory(
        OpportunityFactory,
        team=factory.SelfAttribute("..team"),
        presales_owner=factory.SelfAttribute("..owner"),
    )
    kind = "trial"
    items = "1 × 能耗監測終端"
    # A month back: a list test may set the return date to any day from today on.
    period_start = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    period_end = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))
    return_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=15))
    requested_by = factory.SelfAttribute("owner")
