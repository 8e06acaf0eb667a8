"""Fixtures of the retrospective tests (R-POST-2): the contract chain's approvers, an
opportunity in the contract stage, and helpers that close it through the real services (sign
a contract; mark lost or abandoned; pass the customer's acceptance)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bids.contracts import services as contracts
from bids.handoff import services as handoff_services
from bids.models import Handoff
from kpi.models import Retrospective
from opportunities.services import opportunity_move
from presales.core.roles import Role
from reviews.defaults import ensure_default_chains
from reviews.models import Review
from reviews.services import review_decide
from tests.bids.contracts.factories import accepted_version, sign_data
from tests.factories import OpportunityFactory, TeamFactory


@pytest.fixture(autouse=True)
def chains(db):
    return ensure_default_chains()


@pytest.fixture
def approvers(make_user, team, general_manager):
    return {
        "sales_manager": make_user(Role.SALES_MANAGER, team=team, username="sales_manager"),
        "legal": make_user(Role.LEGAL, team=TeamFactory(name="Legal"), username="legal"),
        "general_manager": general_manager,
    }


@pytest.fixture
def opportunity(team, engineer, sales_rep, manager):
    return OpportunityFactory(team=team, presales_owner=engineer, sales_owner=sales_rep, stage="contract")


def sign(opportunity, sales_rep, approvers):
    """Accept a version, draw, approve and sign the contract through the services."""
    accepted_version(opportunity, prices=(Decimal("5000.00"),))
    contract = contracts.contract_create(
        actor=sales_rep, opportunity=opportunity, data={"warranty": "3 years"}
    )
    contract = contracts.contract_submit(actor=sales_rep, contract=contract)
    review = Review.objects.get(kind="contract", object_id=contract.pk, status="in_progress")
    for key in ("sales_manager", "legal", "general_manager"):
        review.refresh_from_db()
        if review.status != "in_progress":
            break
        review_decide(actor=approvers[key], review=review, decision="approve")
    contract.refresh_from_db()
    return contracts.contract_sign(actor=sales_rep, contract=contract, data=sign_data())


def accept(contract, actor):
    """The customer's service acceptance passes (R-HAND-3), through the handoff's services."""
    handoff = Handoff.objects.get(contract=contract)
    return handoff_services.acceptance_record(
        actor=actor,
        handoff=handoff,
        kind="service",
        data={"result": "passed", "accepted_on": timezone.localdate() - timedelta(days=1)},
        scan=SimpleUploadedFile("acceptance.pdf", b"%PDF-1.4 signed"),
    )


def close(opportunity, actor, move="mark_lost"):
    return opportunity_move(
        actor=actor,
        opportunity=opportunity,
        move=move,
        note="預算被砍",
        reason="price",
        winning_competitor="ACME 科技",
    )


@pytest.fixture
def won(opportunity, sales_rep, approvers):
    contract = sign(opportunity, sales_rep, approvers)
    return contract


@pytest.fixture
def lost(opportunity, sales_rep):
    close(opportunity, sales_rep)
    return Retrospective.objects.get(opportunity=opportunity)
