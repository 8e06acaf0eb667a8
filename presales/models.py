"""The core app's models, gathered so that Django registers them (app label ``presales``).

Each concern keeps its models in its own package; import them from there
(``presales.accounts.models``, ``presales.sla.models``, ``presales.exports.models``).
"""

from presales.accounts.models import ApiToken, Team, User
from presales.core.models import DownloadLog
from presales.documents.models import Branding, Document, DocumentDelivery
from presales.exports.models import ExportJob, ExportLog, ExportState
from presales.sla.models import (
    CalendarDay,
    CalendarDayKind,
    CalendarYear,
    Delivery,
    DeliveryChannel,
    DeliveryState,
    EscalationTarget,
    LimitUnit,
    Notification,
    NotificationPreference,
    SlaPolicy,
    TeamWebhook,
    Timer,
    TimerState,
    WebhookFlavor,
)

__all__ = [
    "ApiToken",
    "Branding",
    "CalendarDay",
    "CalendarDayKind",
    "CalendarYear",
    "Delivery",
    "DeliveryChannel",
    "DeliveryState",
    "Document",
    "DocumentDelivery",
    "DownloadLog",
    "EscalationTarget",
    "ExportJob",
    "ExportLog",
    "ExportState",
    "LimitUnit",
    "Notification",
    "NotificationPreference",
    "SlaPolicy",
    "Team",
    "TeamWebhook",
    "Timer",
    "TimerState",
    "User",
    "WebhookFlavor",
]
