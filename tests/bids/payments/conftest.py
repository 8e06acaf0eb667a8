"""Fixtures of the payments tests (R-PAY-1): the contract chain and its approvers, an
opportunity in the contract stage owned by ``sales_rep`` (tests/bids/contracts/conftest.py)."""

from __future__ import annotations

from tests.bids.contracts.conftest import approvers, chains, legal, opportunity, sales_manager

__all__ = ["approvers", "chains", "legal", "opportunity", "sales_manager"]
