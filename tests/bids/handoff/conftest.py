"""Fixtures of the handoff tests: the contracts' fixtures (chain, approvers, an opportunity
in the contract stage), an after-sales team with its manager and engineer, and a signed
contract made through the services (so the on-signed hook makes the handoff)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bids.contracts import services as contracts
from bids.models import Handoff
from presales.core.roles import Role
from reviews.defaults import ensure_default_chains
from reviews.models import Review
from reviews.services import review_decide
from tests.bids.contracts.factories import accepted_version, sign_data
from tests.factories import ContactFactory, OpportunityFactory, TeamFactory


@pytest.fixture(autouse=True)
def chains(db):
    return ensure_default_chains()


@pytest.fixture
def sales_manager(make_user, team):
    return make_user(Role.SALES_MANAGER, team=team, username="sales_manager")


@pytest.fixture
def legal(make_user):
    return make_user(Role.LEGAL, team=TeamFactory(name="Legal"), username="legal")


@pytest.fixture
def approvers(sales_manager, legal, general_manager):
    return {"sales_manager": sales_manager, "legal": legal, "general_manager": general_manager}


@pytest.fixture
def opportunity(team, engineer, sales_rep):
    return OpportunityFactory(team=team, presales_owner=engineer, sales_owner=sales_rep, stage="contract")


@pytest.fixture
def after_sales_team(db):
    return TeamFactory(name="After-sales", department="after_sales")


@pytest.fixture
def after_sales_manager(make_user, after_sales_team):
    user = make_user(Role.PRESALES_MANAGER, team=after_sales_team, username="as_manager")
    after_sales_team.manager = user
    after_sales_team.save()
    return user


@pytest.fixture
def after_sales_engineer(make_user, after_sales_team):
    return make_user(Role.PRESALES_ENGINEER, team=after_sales_team, username="as_engineer")


def sign(opportunity, sales_rep, approvers_):
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
        review_decide(actor=approvers_[key], review=review, decision="approve")
    contract.refresh_from_db()
    return contracts.contract_sign(actor=sales_rep, contract=contract, data=sign_data())


@pytest.fixture
def contact(opportunity):
    return ContactFactory(customer=opportunity.customer, name="王經理")


@pytest.fixture
def handoff(opportunity, sales_rep, approvers, after_sales_manager, after_sales_engineer, contact):
    contract = sign(opportunity, sales_rep, approvers)
    return Handoff.objects.get(contract=contract)
