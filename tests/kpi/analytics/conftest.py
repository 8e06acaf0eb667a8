"""Builders of the analytics tests (R-KPI-3): opportunities placed in time by hand (created,
stage history, closed), so each figure can be computed on paper."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kpi.periods import Period
from opportunities.models import Opportunity, StageChange
from tests.factories import CustomerFactory, OpportunityFactory

PERIOD = Period.parse("2026-10")


def at(day: int, month: int = 10, hour: int = 12, year: int = 2026) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour))


def place(
    team,
    *,
    stage: str = "lead_intake",
    amount: str = "1000.00",
    currency: str = "CNY",
    rate: str | None = None,
    created: datetime | None = None,
    closed: datetime | None = None,
    path: tuple[tuple[str, str, datetime], ...] = (),
    industry: str = "manufacturing",
    **fields,
) -> Opportunity:
    """An opportunity of ``team`` in ``stage`` with its stage changes ``path`` ((from, to, at), ...)."""
    customer = CustomerFactory(team=team, industry=industry)
    opportunity = OpportunityFactory(
        team=team,
        customer=customer,
        stage=stage,
        amount=Decimal(amount),
        currency=currency,
        fx_rate_to_cny=Decimal(rate) if rate else None,
        fx_rate_date=timezone.localdate() if rate else None,
        close_reason="price" if stage in ("lost", "abandoned") else "",
        **fields,
    )
    Opportunity.objects.filter(pk=opportunity.pk).update(
        created_at=created or at(1, 9), closed_at=closed, updated_at=created or at(1, 9)
    )
    for from_stage, to_stage, moment in path:
        StageChange.objects.create(
            opportunity=opportunity,
            from_stage=from_stage,
            to_stage=to_stage,
            move="advance",
            actor=opportunity.sales_owner,
            at=moment,
        )
    opportunity.refresh_from_db()
    return opportunity


@pytest.fixture
def period():
    return PERIOD
