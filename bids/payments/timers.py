"""The timer of payment collection (R-PAY-1, 催收).

``payment_overdue`` (registered here, a fixed kind): an instalment with a due date is a timer
on the opportunity's sales owner, due at the end of its due day; it reminds the owner three
days before (policy, editable by an admin), then escalates to the owner's manager once it is
overdue, again each week up to three times. Started when the instalment gets its due date
(at signing for fixed dates and "on signing", when its event is recorded for delivery and
acceptance); satisfied when it is fully received; restarted when its due date moves or a
reversal re-opens it; cancelled when the opportunity closes as lost or abandoned.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils.translation import gettext_lazy as _

from presales.sla.calendar import company_tz
from presales.sla.choices import EscalationTarget, LimitUnit
from presales.sla.policies import PolicyValues, TimerKind, register_timer_kind

PAYMENT_OVERDUE = "payment_overdue"
REMIND_HOURS_BEFORE = 72


def due_at_of(due_on: date) -> datetime:
    """An instalment due on ``due_on`` is overdue from the next midnight, company time."""
    return datetime.combine(due_on + timedelta(days=1), time.min, tzinfo=company_tz())


def register() -> None:
    from bids.models import PaymentInstalment
    from presales.sla.subjects import register_timer_subject

    register_timer_kind(
        TimerKind(
            PAYMENT_OVERDUE,
            _("Payment instalment due (collection)"),
            "R-PAY-1",
            PolicyValues(
                None,
                LimitUnit.FIXED,
                (REMIND_HOURS_BEFORE,),
                EscalationTarget.OWNER_MANAGER,
                repeat_every_hours=7 * 24,
                max_escalations=3,
            ),
            _(
                "Started for the sales owner when an instalment gets its due date; satisfied when "
                "it is fully received, cancelled when the opportunity closes."
            ),
        )
    )
    register_timer_subject(
        "bids.PaymentInstalment",
        lambda: PaymentInstalment.objects.select_related("plan__contract__opportunity__team"),
    )
