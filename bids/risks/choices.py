"""Choices of the risk register and the customer credit assessment (R-RISK-1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskCategory(models.TextChoices):
    MARKET = "market", _("Market")
    CUSTOMER = "customer", _("Customer")
    COMPETITION = "competition", _("Competition")
    CONTRACT = "contract", _("Contract")
    LEGAL = "legal", _("Legal")
    TECHNICAL = "technical", _("Technical")
    DELIVERY = "delivery", _("Delivery")
    OTHER = "other", _("Other")


class RiskLevel(models.TextChoices):
    """Derived from the score and the thresholds of settings (never stored)."""

    LOW = "low", _("Low")
    WARNING = "warning", _("Warning")
    HIGH = "high", _("High")


class RiskResponse(models.TextChoices):
    AVOID = "avoid", _("Avoid")
    MITIGATE = "mitigate", _("Mitigate")
    TRANSFER = "transfer", _("Transfer")
    ACCEPT = "accept", _("Accept")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted by a manager")
    CLOSED = "closed", _("Closed")


class CreditRating(models.TextChoices):
    A = "A", _("A: good")
    B = "B", _("B: acceptable")
    C = "C", _("C: watch")
    D = "D", _("D: poor")
