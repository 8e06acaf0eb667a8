"""The risk's review timer (R-RISK-1, R-SLA-1).

``risk_review`` (registered here, a fixed kind): an open or accepted risk is a timer on its
owner, due at the end of its review date; it reminds the owner a day before and escalates
to the owner's manager once overdue. Started when the risk is recorded, restarted when a
review is recorded (the next date) or the date or owner changes, satisfied when the risk is
closed, cancelled when the opportunity closes as lost or abandoned.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils.translation import gettext_lazy as _

from presales.sla.calendar import company_tz
from presales.sla.choices import EscalationTarget, LimitUnit
from presales.sla.policies import PolicyValues, TimerKind, register_timer_kind

RISK_REVIEW = "risk_review"


def due_at_of(review_on: date) -> datetime:
    """A review due on ``review_on`` is overdue from the next midnight, company time."""
    return datetime.combine(review_on + timedelta(days=1), time.min, tzinfo=company_tz())


def register() -> None:
    from bids.models import Risk
    from presales.sla.subjects import register_timer_subject

    register_timer_kind(
        TimerKind(
            RISK_REVIEW,
            _("Risk review"),
            "R-RISK-1",
            PolicyValues(None, LimitUnit.FIXED, (24,), EscalationTarget.OWNER_MANAGER),
            _(
                "Started for the risk's owner, due at its review date; restarted when a review is "
                "recorded, satisfied when the risk is closed."
            ),
        )
    )
    register_timer_subject("bids.Risk", lambda: Risk.objects.select_related("opportunity"))
