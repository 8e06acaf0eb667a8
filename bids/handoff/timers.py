"""The timers of the handoff (R-HAND-2, R-HAND-3, R-POST-1, R-SLA-1).

- ``handoff_ack`` (registered in presales/sla/defaults.py): started at signing on the
  handoff for the receiving team's manager, satisfied by the acknowledgment; escalates.
- ``acceptance_product`` (here): 3 working days from the goods' receipt, on the pending
  product acceptance; satisfied when its result is recorded.
- ``rectification`` (here): 24 hours from a failed acceptance, on its rectification, for
  the rectification's owner; satisfied when it is closed.
- ``survey_1m`` / ``survey_3m`` / ``survey_6m`` (here, fixed): the satisfaction survey dates 1,
  3 and 6 months after the passed acceptance's date, on that acceptance (one open timer per
  record and kind, hence one kind per date); the survey itself comes with the KPI issue,
  which satisfies them when it sends the surveys.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from presales.sla.choices import EscalationTarget, LimitUnit
from presales.sla.defaults import HANDOFF_ACK
from presales.sla.policies import PolicyValues, TimerKind, register_timer_kind
from presales.sla.subjects import register_timer_subject

ACCEPTANCE_PRODUCT = "acceptance_product"
RECTIFICATION = "rectification"
SURVEY_KINDS: dict[int, str] = {1: "survey_1m", 3: "survey_3m", 6: "survey_6m"}
ACCEPTANCE_WORKING_DAYS = 3
RECTIFICATION_HOURS = 24

__all__ = ["ACCEPTANCE_PRODUCT", "HANDOFF_ACK", "RECTIFICATION", "SURVEY_KINDS", "register"]


def register() -> None:
    from bids.models import CustomerAcceptance, Handoff, Rectification

    manager = EscalationTarget.OWNER_MANAGER
    register_timer_kind(
        TimerKind(
            ACCEPTANCE_PRODUCT,
            _("Product acceptance"),
            "R-HAND-3",
            PolicyValues(ACCEPTANCE_WORKING_DAYS, LimitUnit.WORKING_DAYS, (24,), manager),
            _("Started when the goods are received; satisfied when the acceptance result is recorded."),
        )
    )
    register_timer_kind(
        TimerKind(
            RECTIFICATION,
            _("Rectification after a failed acceptance"),
            "R-HAND-3",
            PolicyValues(RECTIFICATION_HOURS, LimitUnit.HOURS, (4,), manager),
            _("Started when an acceptance fails; satisfied when the rectification is closed."),
        )
    )
    labels = {
        1: _("Satisfaction survey (1 month)"),
        3: _("Satisfaction survey (3 months)"),
        6: _("Satisfaction survey (6 months)"),
    }
    for months, kind in SURVEY_KINDS.items():
        register_timer_kind(
            TimerKind(
                kind,
                labels[months],
                "R-POST-1",
                PolicyValues(None, LimitUnit.FIXED, (72,), manager),
                _(
                    "Started when an acceptance passes, due at its date plus the months; satisfied "
                    "when the survey is sent."
                ),
            )
        )
    register_timer_subject("bids.Handoff", lambda: Handoff.objects.select_related("opportunity"))
    register_timer_subject(
        "bids.CustomerAcceptance", lambda: CustomerAcceptance.objects.select_related("handoff__opportunity")
    )
    register_timer_subject(
        "bids.Rectification", lambda: Rectification.objects.select_related("acceptance__handoff__opportunity")
    )
