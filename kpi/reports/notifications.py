"""Who hears of a monthly team report (R-KPI-3): bell, e-mail by preference, team robot
(``presales.sla.notifications``), each in their language. Keys name the report, the event
and the recipient, so a retried call (or the monthly task run twice) sends nothing twice.

- the recipients (general managers, department heads, the manager's own manager) when a
  report is submitted;
- the team's manager when the monthly draft is generated for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from presales.sla.notifications import NotificationKind, notify_people, register_notification_kind

TEAM_REPORT = register_notification_kind(
    NotificationKind("team_report", gettext_lazy("Monthly team reports"))
).kind


# One message per person concerned, in their language (see ``notify_people``).
_send = partial(notify_people, kind=TEAM_REPORT)


def report_submitted(report: Any, recipients: Iterable[Any], *, actor: Any) -> None:
    team, month = report.team, report.month_key
    _send(
        recipients,
        actor=actor,
        key=f"team-report:{report.pk}:submitted",
        url=report.get_absolute_url(),
        title=lambda: _("Monthly report of %(team)s for %(month)s") % {"team": team, "month": month},
        body=lambda: report.summary[:500],
    )


def report_drafted(report: Any) -> None:
    team, month = report.team, report.month_key
    _send(
        [team.manager],
        actor=None,
        key=f"team-report:{report.pk}:drafted",
        url=report.get_absolute_url(),
        title=lambda: _("Monthly report of %(team)s for %(month)s to write") % {"team": team, "month": month},
        body=lambda: _("The figures are generated: write the commentary and submit the report."),
    )
