"""The timers of demos and trials (R-DEMO-2, R-DEMO-3, R-SLA-1).

- ``demo_feedback`` (registered in presales/sla/defaults.py, 24 h): started by the demo's
  ``finish`` move, owned by the demo's organizer on the opportunity's team; satisfied by the
  first feedback recorded (``demo_record_feedback``).
- ``trial_return`` (registered here, a fixed kind: due at the end of the return date in the
  company's time zone, reminded 24 h before, escalated to the owner's manager once): started
  when the trial request is approved, satisfied when it is marked returned.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from presales.sla.choices import EscalationTarget, LimitUnit
from presales.sla.policies import PolicyValues, TimerKind, register_timer_kind
from presales.sla.subjects import register_timer_subject

TRIAL_RETURN = "trial_return"


def register() -> None:
    from proposals.models import Demo, TrialRequest

    register_timer_kind(
        TimerKind(
            TRIAL_RETURN,
            _("Trial or loan return"),
            "R-DEMO-3",
            PolicyValues(None, LimitUnit.FIXED, (24,), EscalationTarget.OWNER_MANAGER),
            _("Started when a trial, POC or loan is approved; satisfied when it is marked returned."),
        )
    )
    register_timer_subject("proposals.Demo", lambda: Demo.objects.select_related("opportunity"))
    register_timer_subject(
        "proposals.TrialRequest", lambda: TrialRequest.objects.select_related("opportunity")
    )
