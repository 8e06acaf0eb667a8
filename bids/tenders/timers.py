"""The timers of tenders (R-BID-1, R-BID-2, R-SLA-1).

- ``tender_deadline`` (registered in presales/sla/defaults.py, a fixed kind): due at the
  tender's submission deadline, reminded before it; started when the tender is recorded (and
  restarted when the deadline moves), satisfied when the bid is sealed.
- ``tender_bond`` (registered here): an unreturned bid bond, started at the opening once the
  bond is paid, due N days later (policy, 30 days = 720 hours by default, editable by an
  admin), satisfied when the bond is recorded as returned.
- ``tender_documents_purchase`` and ``tender_clarification`` (registered here, fixed kinds):
  due at the documents purchase date and at the end of the clarification questions, reminded
  3 days and 1 day before; started when the tender's date is set (restarted when it moves),
  satisfied when the action is recorded ("documents purchased on", "questions sent on"),
  cancelled when the date is removed or the opportunity closes.
- ``tender_result`` (registered here): the result is recorded after the opening; started at
  the opening, due N hours later (policy, 72 hours by default), satisfied by the result.
Dates are stored in UTC and entered and shown in the tender's own time zone.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from presales.sla.choices import EscalationTarget, LimitUnit
from presales.sla.defaults import TENDER_DEADLINE
from presales.sla.policies import PolicyValues, TimerKind, register_timer_kind
from presales.sla.subjects import register_timer_subject

TENDER_BOND = "tender_bond"
BOND_DEFAULT_HOURS = 30 * 24
TENDER_DOCUMENTS_PURCHASE = "tender_documents_purchase"
TENDER_CLARIFICATION = "tender_clarification"
TENDER_RESULT = "tender_result"
RESULT_DEFAULT_HOURS = 72

__all__ = [
    "TENDER_BOND",
    "TENDER_CLARIFICATION",
    "TENDER_DEADLINE",
    "TENDER_DOCUMENTS_PURCHASE",
    "TENDER_RESULT",
    "register",
]


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
    register_timer_kind(
        TimerKind(
            TENDER_DOCUMENTS_PURCHASE,
            _("Tender documents purchase"),
            "R-BID-1",
            PolicyValues(None, LimitUnit.FIXED, (72, 24), EscalationTarget.OWNER_MANAGER),
            _("Due at the tender's documents purchase date; satisfied when the purchase is recorded."),
        )
    )
    register_timer_kind(
        TimerKind(
            TENDER_CLARIFICATION,
            _("Tender clarification questions"),
            "R-BID-1",
            PolicyValues(None, LimitUnit.FIXED, (72, 24), EscalationTarget.OWNER_MANAGER),
            _("Due when clarification questions close; satisfied when the questions are recorded as sent."),
        )
    )
    register_timer_kind(
        TimerKind(
            TENDER_RESULT,
            _("Tender result after the opening"),
            "R-BID-4",
            PolicyValues(RESULT_DEFAULT_HOURS, LimitUnit.HOURS, (), EscalationTarget.OWNER_MANAGER),
            _("Started at the tender's opening; satisfied when the bid's result is recorded."),
        )
    )
    register_timer_subject("bids.Tender", lambda: Tender.objects.select_related("opportunity"))
