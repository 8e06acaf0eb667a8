"""The improvement action's timer (R-POST-3): started when a low answer opens the action, on
the action, for its owner; due ``IMPROVEMENT_ACTION_DAYS`` working days later (setting, 5 by
default: about a week); satisfied when the action is closed; escalates to the owner's manager.

The survey timers ``survey_1m/3m/6m`` are the handoff's (bids/handoff/timers.py); the beat
task ``kpi.surveys.tasks.send_due_surveys_task`` satisfies them when it sends the surveys."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from presales.sla.choices import EscalationTarget, LimitUnit
from presales.sla.policies import PolicyValues, TimerKind, register_timer_kind
from presales.sla.subjects import register_timer_subject

IMPROVEMENT_ACTION = "improvement_action"


def register() -> None:
    from kpi.models import ImprovementAction

    register_timer_kind(
        TimerKind(
            IMPROVEMENT_ACTION,
            _("Improvement action after a low survey score"),
            "R-POST-3",
            PolicyValues(
                getattr(settings, "IMPROVEMENT_ACTION_DAYS", 5),
                LimitUnit.WORKING_DAYS,
                (24,),
                EscalationTarget.OWNER_MANAGER,
            ),
            _("Started when a survey answer of 2 or less opens the action; satisfied when it is closed."),
        )
    )
    register_timer_subject(
        "kpi.ImprovementAction", lambda: ImprovementAction.objects.select_related("survey__opportunity")
    )
