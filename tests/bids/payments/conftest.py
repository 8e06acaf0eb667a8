"""Fixtures of the payments tests (R-PAY-1): the contract chain and its approvers, an
opportunity in the contract stage owned by ``sales_rep`` (tests/bids/contracts/conftest.py).

The plan is read from the contract's payment terms, which start from the standard clauses
(R-CON-5) when those exist. These tests give the terms themselves: the standard clauses are
removed first, whatever an earlier test (or a flush of the data migration's rows) left."""

from __future__ import annotations

import pytest

from tests.bids.contracts.conftest import approvers, chains, legal, opportunity, sales_manager

__all__ = ["approvers", "chains", "legal", "no_standard_clauses", "opportunity", "sales_manager"]


@pytest.fixture(autouse=True)
def no_standard_clauses(db):
    from bids.models import ClauseTemplate

    ClauseTemplate.objects.all().delete()
