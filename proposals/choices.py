"""Choices of the proposals app: requirements (R-NEED-2) and solution versions (R-SOL-3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RequirementKind(models.TextChoices):
    """R-NEED-2: 剛性 / 柔性 / 潛在."""

    RIGID = "rigid", pgettext_lazy("requirement kind", "Rigid")
    FLEXIBLE = "flexible", pgettext_lazy("requirement kind", "Flexible")
    LATENT = "latent", pgettext_lazy("requirement kind", "Latent")


class RequirementCategory(models.TextChoices):
    FUNCTION = "function", _("Function")
    PERFORMANCE = "performance", _("Performance")
    INTERFACE = "interface", _("Interface")
    SECURITY = "security", _("Security")
    QUALITY = "quality", _("Quality")
    DELIVERY = "delivery", _("Delivery")
    SERVICE = "service", _("Service")


class Priority(models.TextChoices):
    HIGH = "high", pgettext_lazy("priority", "High")
    MEDIUM = "medium", pgettext_lazy("priority", "Medium")
    LOW = "low", pgettext_lazy("priority", "Low")


class Feasibility(models.TextChoices):
    FEASIBLE = "feasible", _("Feasible")
    NEEDS_RD = "needs_rd", _("Needs R&D")
    NOT_FEASIBLE = "not_feasible", _("Not feasible")


class ConfirmationStatus(models.TextChoices):
    """R-NEED-3: a requirement's confirmation by the customer, row by row."""

    UNCONFIRMED = "unconfirmed", pgettext_lazy("requirement", "Unconfirmed")
    CONFIRMED = "confirmed", pgettext_lazy("requirement", "Confirmed")
    COMMENTED = "commented", pgettext_lazy("requirement", "Commented")


class ConfirmationMethod(models.TextChoices):
    """R-NEED-3 確認方式: through the link, or an e-mail / signed scan the engineer uploads."""

    LINK = "link", _("Confirmation link")
    EMAIL = "email", _("E-mail")
    SCAN = "scan", _("Signed scan")


class RDRequestStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("R&D request", "Open")
    ANSWERED = "answered", pgettext_lazy("R&D request", "Answered")


class VersionStatus(models.TextChoices):
    """R-SOL-3, R-SOL-5: a draft is edited; from submission on the version is frozen (an edit
    starts the next version) and its review decides it."""

    DRAFT = "draft", pgettext_lazy("solution version", "Draft")
    IN_REVIEW = "in_review", pgettext_lazy("solution version", "In review")
    APPROVED = "approved", pgettext_lazy("solution version", "Approved")
    REJECTED = "rejected", pgettext_lazy("solution version", "Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("solution version", "Withdrawn")


FROZEN_STATUSES = frozenset(
    {VersionStatus.IN_REVIEW, VersionStatus.APPROVED, VersionStatus.REJECTED, VersionStatus.WITHDRAWN}
)
