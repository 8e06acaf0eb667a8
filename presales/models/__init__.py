"""Core models. Each module holds one concern; import from ``presales.models``."""

from .accounts import Team, User
from .base import TimeStampedModel
from .exports import ExportJob, ExportLog, ExportState
from .notifications import (
    Delivery,
    DeliveryChannel,
    DeliveryState,
    Notification,
    NotificationPreference,
    TeamWebhook,
    WebhookFlavor,
)
from .opportunity import InitiationMember, Opportunity, ProjectInitiation, ProjectMember, StageChange
from .timers import (
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
    "ExportJob",
    "ExportLog",
    "ExportState",
    "InitiationMember",
    "LimitUnit",
    "Notification",
    "NotificationPreference",
    "Opportunity",
    "ProjectInitiation",
    "ProjectMember",
    "SlaPolicy",
    "StageChange",
    "Team",
    "TeamWebhook",
    "TimeStampedModel",
    "Timer",
    "TimerState",
    "User",
    "WebhookFlavor",
]
