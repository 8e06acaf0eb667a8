"""Fixtures of the risk register tests (R-RISK-1): the default contract chain with its
approvers, an opportunity in the contract stage owned by ``sales_rep`` with ``engineer``
presales, and its sales manager (who accepts risks)."""

from __future__ import annotations

import pytest

from presales.core.roles import Role
from reviews.defaults import ensure_default_chains
from tests.factories import OpportunityFactory, TeamFactory


@pytest.fixture(autouse=True)
def chains(db):
    return ensure_default_chains()


@pytest.fixture(autouse=True)
def standard_clauses(db):
    from importlib import import_module

    from django.apps import apps

    import_module("bids.migrations.0004_default_clause_templates").seed(apps, None)


@pytest.fixture
def sales_manager(make_user, team):
    return make_user(Role.SALES_MANAGER, team=team, username="sales_manager")


@pytest.fixture
def legal(make_user):
    return make_user(Role.LEGAL, team=TeamFactory(name="Legal"), username="legal")


@pytest.fixture(autouse=True)
def approvers(sales_manager, legal, general_manager):
    """Autouse: the contract chain needs its approvers to start."""
    return {"sales_manager": sales_manager, "legal": legal, "general_manager": general_manager}


@pytest.fixture
def opportunity(team, engineer, sales_rep):
    return OpportunityFactory(team=team, presales_owner=engineer, sales_owner=sales_rep, stage="contract")
