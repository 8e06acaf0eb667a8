"""Choices of the SLA timers shared by the models and the timer-kind registry (which imports
no models)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LimitUnit(models.TextChoices):
    """How a policy's limit counts: calendar hours, working days, or a date the event gives."""

    HOURS = "hours", _("Hours (calendar time)")
    WORKING_DAYS = "working_days", _("Working days")
    FIXED = "fixed", _("Date given by the event")


class EscalationTarget(models.TextChoices):
    NONE = "none", _("No escalation")
    OWNER_MANAGER = "owner_manager", _("The owner's team manager")
    ROLE = "role", _("Everyone with a role")
