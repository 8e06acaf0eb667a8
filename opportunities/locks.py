"""The lock order of the opportunity aggregate: every row lock the opportunity services take
on an opportunity and its parts is taken here (R-OPP-2, R-OPP-3), as Saleor's
``lock_objects.py``.

THE order, in every transaction that writes an opportunity or anything hanging from it:

1. **the opportunity** (:func:`lock_opportunity`);
2. **its project initiation** (:func:`lock_initiation`, :func:`lock_opportunity_and_initiation`)
   — and, when they come, its other reviewed subjects (solution versions, bids, contracts),
   each after the opportunity;
3. **the subject's review**, then **the review's tasks**: the review engine's order
   (reviews/locks.py), which locks the subject first through the subject type's ``lock``
   hook — for an initiation, :func:`lock_initiation`, registered in
   opportunities/review_subjects.py;
4. then leaves that lock nothing after them: the stage history, the project team rows, the
   SLA timers (presales.sla), the customer's progress date (an UPDATE of the customer row).

So a withdrawal (opportunity → initiation → review) and an approval (the engine: opportunity
→ initiation → review, then ``on_approved`` locking the same rows again, which costs no wait)
queue on the opportunity row instead of deadlocking; so do closing the opportunity (which
withdraws its initiation's review) and approving.

Every function re-reads what it locks: the caller works on the locked copy, never on the
object it was handed (which may be stale by the time the lock is granted). Locking a row
this transaction already holds returns at once, so services and the review engine's
callbacks call these freely.
"""

from __future__ import annotations

from opportunities.models import Opportunity, ProjectInitiation


def lock_opportunity(pk: int) -> Opportunity:
    """Step 1: the opportunity, re-read under its lock."""
    return Opportunity.objects.select_for_update().get(pk=pk)


def lock_initiation(initiation: ProjectInitiation) -> ProjectInitiation:
    """Steps 1 and 2: the initiation's opportunity, then the initiation, re-read with that
    opportunity. The review engine's ``lock`` hook for initiations."""
    lock_opportunity(initiation.opportunity_id)
    return (
        ProjectInitiation.objects.select_for_update(of=("self",))
        .select_related("opportunity")
        .get(pk=initiation.pk)
    )


def lock_opportunity_and_initiation(pk: int) -> tuple[Opportunity, ProjectInitiation | None]:
    """Steps 1 and 2 from the opportunity's side: the opportunity, then its initiation if it
    has one (None otherwise; creating it needs no lock but the opportunity's)."""
    opportunity = lock_opportunity(pk)
    initiation = ProjectInitiation.objects.select_for_update().filter(opportunity=opportunity).first()
    if initiation is not None:
        initiation.opportunity = opportunity
    return opportunity, initiation
