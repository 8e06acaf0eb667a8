"""The default approval chain of trials, POCs and loans (R-DEMO-3).

Like the engine's own defaults (``reviews.defaults.ensure_default_chains``), it is created
on request (the demo seed, an admin's set-up), never by a migration, and never replaces a
chain an admin configured: a kind that already has an active chain is left alone. The
default level is the presales manager of the opportunity's team; an admin raises it (adds
the general manager, say) on the chain.
"""

from __future__ import annotations

from django.db import transaction

from presales.core.roles import Role
from proposals.demos.services import TRIAL_REVIEW_KIND
from reviews.choices import StepMode
from reviews.models import ReviewChain, ReviewChainStep

TRIAL_CHAIN_NAME = "试用审批 Trial and loan approval"


@transaction.atomic
def ensure_trial_chain() -> ReviewChain | None:
    """The active chain of kind ``trial``: the existing one, else the default created now."""
    active = ReviewChain.objects.filter(kind=TRIAL_REVIEW_KIND, is_active=True).first()
    if active is not None:
        return active
    chain, created = ReviewChain.objects.get_or_create(
        kind=TRIAL_REVIEW_KIND,
        name=TRIAL_CHAIN_NAME,
        defaults={
            "description": "R-DEMO-3: trials, POCs and demo-equipment loans, approved by the presales manager.",
            "score_criteria": [],
            "is_active": True,
        },
    )
    if created:
        ReviewChainStep.objects.create(
            chain=chain,
            order=1,
            name="售前经理 Presales manager",
            approver_role=Role.PRESALES_MANAGER,
            mode=StepMode.ANY,
        )
    return chain
