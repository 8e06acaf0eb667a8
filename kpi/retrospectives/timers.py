"""The retrospective's deadline (R-POST-2, R-SLA-1): ``retrospective_due``, started when the
opportunity closes (won at signing, lost or abandoned at the close move), owned by the
presales owner, escalated to their manager; satisfied when the retrospective is held. Its
limit is a policy like every other timer kind (10 working days by default; an administrator
changes it in the SLA policies)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from presales.sla.choices import EscalationTarget, LimitUnit
from presales.sla.policies import PolicyValues, TimerKind, register_timer_kind
from presales.sla.subjects import register_timer_subject

RETROSPECTIVE_DUE = "retrospective_due"
RETROSPECTIVE_WORKING_DAYS = 10


def register() -> None:
    from kpi.models import Retrospective

    register_timer_kind(
        TimerKind(
            RETROSPECTIVE_DUE,
            _("Project retrospective"),
            "R-POST-2",
            PolicyValues(
                RETROSPECTIVE_WORKING_DAYS, LimitUnit.WORKING_DAYS, (48,), EscalationTarget.OWNER_MANAGER
            ),
            _(
                "Started when the opportunity is won (contract signed), lost or abandoned; satisfied when "
                "the retrospective is held with presales attending."
            ),
        )
    )
    register_timer_subject("kpi.Retrospective", lambda: Retrospective.objects.select_related("opportunity"))
