"""Lock order of the handoff: the opportunity first (opportunities/locks.py), then the handoff,
then its acceptances, then their rectifications, then the leaves (SLA timers). Signing
already holds the opportunity and the contract when the handoff is made."""

from __future__ import annotations

from bids.models import CustomerAcceptance, Handoff, Rectification
from opportunities.locks import lock_opportunity


def lock_handoff(handoff: Handoff | int) -> Handoff:
    """The handoff's opportunity, then the handoff, re-read with it."""
    pk = handoff if isinstance(handoff, int) else handoff.pk
    opportunity_id = Handoff.objects.filter(pk=pk).values_list("opportunity_id", flat=True).get()
    opportunity = lock_opportunity(opportunity_id)
    locked = Handoff.objects.select_for_update(of=("self",)).select_related("contract").get(pk=pk)
    locked.opportunity = opportunity
    return locked


def lock_acceptance(acceptance: CustomerAcceptance | int) -> CustomerAcceptance:
    pk = acceptance if isinstance(acceptance, int) else acceptance.pk
    handoff_id = CustomerAcceptance.objects.filter(pk=pk).values_list("handoff_id", flat=True).get()
    handoff = lock_handoff(handoff_id)
    locked = CustomerAcceptance.objects.select_for_update().get(pk=pk)
    locked.handoff = handoff
    return locked


def lock_rectification(rectification: Rectification | int) -> Rectification:
    pk = rectification if isinstance(rectification, int) else rectification.pk
    acceptance_id = Rectification.objects.filter(pk=pk).values_list("acceptance_id", flat=True).get()
    acceptance = lock_acceptance(acceptance_id)
    locked = Rectification.objects.select_for_update().get(pk=pk)
    locked.acceptance = acceptance
    return locked
