"""Lock order of contracts: the opportunity first (opportunities/locks.py), then the contract,
then its review and tasks, then its lines and timers."""

from __future__ import annotations

from bids.models import Contract
from opportunities.locks import lock_opportunity


def lock_contract(contract: Contract | int) -> Contract:
    """The contract's opportunity, then the contract. The review engine's ``lock`` hook."""
    pk = contract if isinstance(contract, int) else contract.pk
    opportunity_id = Contract.objects.filter(pk=pk).values_list("opportunity_id", flat=True).get()
    opportunity = lock_opportunity(opportunity_id)
    locked = Contract.objects.select_for_update(of=("self",)).get(pk=pk)
    locked.opportunity = opportunity
    return locked
