"""The timers of tenders (R-BID-1, R-BID-2, R-SLA-1).

- ``tender_deadline`` (registered in presales/sla/defaults.py, a fixed kind): due at the
  tender's submission deadline, reminded before it; started when the tender is recorded (and
  restarted when the deadline moves), satisfied when the bid is sealed.
- ``tender_bond`` (registered here): an unreturned bid bond, started at the opening once the
  bond is paid, due N days later (policy, 30 days = 720 hours by default, editable by an
  admin), satisfied when the bond is recorded as returned.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from presales.sla.choices import EscalationTarget, LimitUnit
from presales.sla.defaults import TENDER_DEADLINE
from presales.sla.policies import PolicyValues, TimerKind, register_timer_kind
from presales.sla.subjects import register_timer_subject

TENDER_BOND = "tender_bond"
BOND_DEFAULT_HOURS = 30 * 24

__all__ = ["TENDER_BOND", "TENDER_DEADLINE", "register"]


def register() -> None:
    from bids.models import Tender

    register_timer_kind(
        TimerKind(
            TENDER_BOND,
            _("Unreturned bid bond"),
            "R-BID-1",
            PolicyValues(BOND_DEFAULT_HOURS, LimitUnit.HOURS, (72,), EscalationTarget.OWNER_MANAGER),
            _("Started at the tender's opening when a bond was paid; satisfied when it is returned."),
        )
    )
    register_timer_subject("bids.Tender", lambda: Tender.objects.select_related("opportunity"))
