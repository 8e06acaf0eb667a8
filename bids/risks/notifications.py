"""Who hears of a risk (R-RISK-1): its owner, when it reaches the warning threshold (on
creation or when its likelihood or impact rise), by bell, e-mail by preference and the
team robot (``presales.sla.notifications``), in their language. Called inside the writing
transaction; deliveries are enqueued after it commits. The key names the risk, its score and
the recipient, so a retried call sends nothing twice."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from presales.sla.notifications import Message, NotificationKind, notify_many, register_notification_kind

RISK = register_notification_kind(NotificationKind("risk", gettext_lazy("Risks over their threshold"))).kind


def risk_warning(risk: Any, *, actor: Any) -> None:
    """Tell the risk's owner that it is at or over the warning threshold."""
    owner = risk.owner
    if owner is None or not owner.is_active:
        return
    with translation.override(owner.language or settings.LANGUAGE_CODE):
        title = _("Risk at %(level)s level (score %(score)s): %(title)s") % {
            "level": risk.get_level_display().lower(),
            "score": risk.score,
            "title": risk.title,
        }
        body = _("Opportunity: %(opportunity)s. Review the response plan.") % {
            "opportunity": risk.opportunity.title
        }
    key = f"risk:{risk.pk}:score:{risk.score}:v{risk.version}"
    notify_many(
        [
            Message(
                recipient=owner,
                kind=RISK,
                key=f"{key}:to:{owner.pk}",
                title=str(title),
                body=str(body),
                url=risk.get_absolute_url(),
                event=key,
            )
        ]
    )
