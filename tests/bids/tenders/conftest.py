"""Fixtures of the tenders tests: a tender deal of ``team`` in the demo stage, presales owner
``engineer``, its initiation approved and a solution version approved (the earlier gates)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from opportunities.choices import InitiationStatus
from presales.core.roles import Role
from reviews.defaults import ensure_default_chains
from tests.factories import OpportunityFactory, ProjectInitiationFactory
from tests.proposals.solutions.factories import approved_solution

ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def opportunity(team, engineer, sales_rep):
    opportunity = OpportunityFactory(
        team=team, presales_owner=engineer, sales_owner=sales_rep, stage="demo", has_tender=True
    )
    ProjectInitiationFactory(opportunity=opportunity, status=InitiationStatus.APPROVED)
    approved_solution(opportunity)
    return opportunity


@pytest.fixture
def chains(db):
    return ensure_default_chains()


@pytest.fixture
def legal(make_user, team):
    return make_user(Role.LEGAL, team=team, username="legal")


@pytest.fixture
def finance(make_user, team):
    return make_user(Role.FINANCE, team=team, username="finance")


def future(days: int) -> datetime:
    """A fixed local time ``days`` from now (tests never depend on the hour)."""
    base = (datetime.now(ZONE) + timedelta(days=days)).date()
    return datetime(base.year, base.month, base.day, 10, 0, tzinfo=ZONE)


def tender_data(**overrides):
    data = {
        "issuer": "市政府採購中心",
        "number": "ZB-2026-001",
        "documents_purchase_at": future(2),
        "questions_until": future(5),
        "submission_deadline": future(10),
        "opening_at": future(11),
        "bond_amount": "20000.00",
    }
    data.update(overrides)
    return data


def fill_parts(actor, bid) -> None:
    """R-BID-1: write the three parts of the bid document (the submit gate needs them)."""
    from bids.biddocs import services as documents

    for part in documents.parts_ensure(bid):
        documents.part_revise(actor=actor, part=part, content=f"<p>{part.get_kind_display()}</p>")


def ticked(task) -> dict:
    """R-REV-3: every check item of the approver's step ticked."""
    return {code: {"ok": True, "comment": ""} for code, _label in task.check_item_labels}


def approve(review, approver) -> None:
    from reviews.models import ReviewTask
    from reviews.services import review_decide

    task = ReviewTask.objects.get(review=review, approver=approver, state="pending")
    review_decide(actor=approver, review=review, decision="approve", checks=ticked(task))
