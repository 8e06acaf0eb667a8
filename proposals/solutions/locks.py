"""The lock order of a solution version: the opportunity first (opportunities/locks.py, step
1), then the version (step 2, "its other reviewed subjects"), then the version's review and
tasks (the review engine, which takes this function as the subject's ``lock`` hook). Every
service that writes a version, its sections, quote lines, answers, feedback or acceptance
takes these two locks, in this order, before anything else."""

from __future__ import annotations

from typing import Any

from opportunities.locks import lock_opportunity
from proposals.models import Solution, SolutionVersion


def lock_version(version: Any) -> SolutionVersion:
    """Steps 1 and 2: the version's opportunity, then the version, re-read with its solution
    and opportunity. The review engine's ``lock`` hook for solution versions."""
    opportunity_id = (
        Solution.objects.filter(pk=version.solution_id).values_list("opportunity_id", flat=True).get()
    )
    lock_opportunity(opportunity_id)
    return (
        SolutionVersion.objects.select_for_update(of=("self",))
        .select_related("solution__opportunity", "author")
        .get(pk=version.pk)
    )
