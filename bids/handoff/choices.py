"""Choices of the handoff area (R-HAND-1..3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class HandoffStatus(models.TextChoices):
    """Sent at signing; acknowledged by the receiving team (R-HAND-2); cancelled when the
    opportunity closes after all (its timers stop)."""

    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CANCELLED = "cancelled", _("Cancelled")


class AcceptanceKind(models.TextChoices):
    """R-HAND-3: the product acceptance form (《產品驗收單》) or the service acceptance form
    (《服務驗收單》)."""

    PRODUCT = "product", _("Product acceptance")
    SERVICE = "service", _("Service acceptance")


class AcceptanceResult(models.TextChoices):
    """Pending: goods received, the product acceptance is due (3 working days)."""

    PENDING = "pending", _("Pending")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
