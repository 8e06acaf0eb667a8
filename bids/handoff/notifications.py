"""Who hears of a handoff (R-HAND-2, R-HAND-3): bell, e-mail by preference, team robot
(``presales.sla.notifications``), each in their language. Called inside the writing
transaction; deliveries are enqueued after it commits. Keys name the event and the
recipient, so a retried call sends nothing twice.

- the receiving team (members and manager) when a handoff arrives;
- the sales and presales owners when it is acknowledged (and who the after-sales owner is);
- the rectification's owner and the opportunity's owners when an acceptance fails.
"""

from __future__ import annotations

from functools import partial

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from presales.accounts.models import User
from presales.sla.notifications import NotificationKind, notify_people, register_notification_kind

HANDOFF = register_notification_kind(
    NotificationKind("handoff", gettext_lazy("Handoffs and customer acceptances"))
).kind


# One message per person concerned, in their language (see ``notify_people``).
_send = partial(notify_people, kind=HANDOFF)


def handoff_sent(handoff, *, actor) -> None:
    team = handoff.receiving_team
    people: list[User | None] = []
    if team is not None:
        people = [team.manager, *User.objects.filter(team=team, is_active=True).order_by("pk")]
    else:
        people = [handoff.opportunity.team.manager if handoff.opportunity.team_id else None]
    title = handoff.package.get("contract", {}).get("title", "")
    _send(
        people,
        actor=actor,
        key=f"handoff:{handoff.pk}:sent",
        url=handoff.get_absolute_url(),
        title=lambda: _("Handoff to acknowledge: %(title)s") % {"title": title},
        body=lambda: _(
            "The contract is signed; acknowledge the handoff package and name the after-sales owner."
        ),
    )


def handoff_acknowledged(handoff, *, actor) -> None:
    opportunity = handoff.opportunity
    owner = handoff.after_sales_owner
    _send(
        [opportunity.sales_owner, opportunity.presales_owner, owner],
        actor=actor,
        key=f"handoff:{handoff.pk}:acknowledged",
        url=opportunity.get_absolute_url() + "#handoff",
        title=lambda: _("Handoff acknowledged: %(title)s") % {"title": opportunity.title},
        body=lambda: _("After-sales owner: %(owner)s") % {"owner": owner},
    )


def acceptance_failed(rectification, *, actor) -> None:
    acceptance = rectification.acceptance
    handoff = acceptance.handoff
    opportunity = handoff.opportunity
    _send(
        [rectification.owner, handoff.after_sales_owner, opportunity.sales_owner, opportunity.presales_owner],
        actor=actor,
        key=f"acceptance:{acceptance.pk}:failed",
        url=opportunity.get_absolute_url() + "#handoff",
        title=lambda: (
            _("Acceptance failed: %(title)s, rectify within 24 hours") % {"title": opportunity.title}
        ),
        body=lambda: rectification.items,
    )
