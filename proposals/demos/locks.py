"""Lock order of demos and trial requests: the opportunity first (opportunities/locks.py),
then the demo or the trial request, then (for a trial under review) its review and tasks,
then what hangs from them (checklist lines, agenda, timers)."""

from __future__ import annotations

from opportunities.locks import lock_opportunity
from proposals.models import Demo, TrialRequest


def lock_demo(demo: Demo | int) -> Demo:
    """The demo's opportunity, then the demo, re-read with its opportunity and version."""
    pk = demo if isinstance(demo, int) else demo.pk
    opportunity_id = Demo.objects.filter(pk=pk).values_list("opportunity_id", flat=True).get()
    opportunity = lock_opportunity(opportunity_id)
    locked = (
        Demo.objects.select_for_update(of=("self",))
        .select_related("solution_version__solution", "created_by")
        .get(pk=pk)
    )
    locked.opportunity = opportunity
    return locked


def lock_trial(trial: TrialRequest) -> TrialRequest:
    """The trial's opportunity, then the trial request. The review engine's ``lock`` hook."""
    opportunity = lock_opportunity(trial.opportunity_id)
    locked = TrialRequest.objects.select_for_update(of=("self",)).get(pk=trial.pk)
    locked.opportunity = opportunity
    return locked
