"""Models of the SLA timers: policies, the working-day calendar, timers, notifications."""

from presales.sla.models.notifications import (
    Delivery,
    DeliveryChannel,
    DeliveryState,
    Notification,
    NotificationPreference,
    TeamWebhook,
    WebhookFlavor,
)
from presales.sla.models.timers import (
    CalendarDay,
    CalendarDayKind,
    CalendarYear,
    EscalationTarget,
    LimitUnit,
    SlaPolicy,
    Timer,
    TimerState,
)

__all__ = [
    "CalendarDay",
    "CalendarDayKind",
    "CalendarYear",
    "Delivery",
    "DeliveryChannel",
    "DeliveryState",
    "EscalationTarget",
    "LimitUnit",
    "Notification",
    "NotificationPreference",
    "SlaPolicy",
    "TeamWebhook",
    "Timer",
    "TimerState",
    "WebhookFlavor",
]
