"""Who hears of a bid decision (R-BID-5): the opportunity's sales and presales owners are
told when the presales manager decides to bid or not (bell, e-mail by preference, team robot:
``presales.sla.notifications``), each in their language. Called inside the deciding
transaction; deliveries are enqueued after it commits. Keys name the decision, so a retried
call sends nothing twice."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from presales.sla.notifications import Message, NotificationKind, notify_many, register_notification_kind

BID_DECISION = register_notification_kind(
    NotificationKind("bid_decision", gettext_lazy("Bid / no-bid decisions"))
).kind


def decision_taken(record, *, actor) -> None:
    opportunity = record.opportunity
    people = {u.pk: u for u in (opportunity.sales_owner, opportunity.presales_owner) if u is not None}
    messages = []
    for person in people.values():
        if person.pk == actor.pk:
            continue
        with translation.override(person.language or settings.LANGUAGE_CODE):
            params = {"title": opportunity.title, "decision": record.get_decision_display()}
            title = _("Bid decision on %(title)s: %(decision)s") % params
        messages.append(
            Message(
                recipient=person,
                kind=BID_DECISION,
                key=f"bid-decision:{record.pk}:to:{person.pk}",
                title=title,
                body=record.reason,
                url=opportunity.get_absolute_url() + "#bids",
            )
        )
    notify_many(messages)
