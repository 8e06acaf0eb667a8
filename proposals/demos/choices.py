"""Choices of demos and trials (R-DEMO-1..3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DemoStatus(models.TextChoices):
    """R-DEMO-1: a demo is drafted, scheduled (invitations out), started, done or cancelled."""

    DRAFT = "draft", pgettext_lazy("demo", "Draft")
    SCHEDULED = "scheduled", pgettext_lazy("demo", "Scheduled")
    STARTED = "started", pgettext_lazy("demo", "Started")
    DONE = "done", pgettext_lazy("demo", "Done")
    CANCELLED = "cancelled", pgettext_lazy("demo", "Cancelled")


EDITABLE_DEMO_STATUSES = frozenset({DemoStatus.DRAFT, DemoStatus.SCHEDULED})


class ChecklistKind(models.TextChoices):
    """R-DEMO-1: the environment checklist's fixed items, plus extra lines."""

    DEVICES = "devices", _("Devices")
    MATERIALS = "materials", _("Materials")
    SLIDES = "slides", _("Slides")
    MANUAL = "manual", _("Manual")
    EXTRA = "extra", _("Other")


FIXED_CHECKLIST = (ChecklistKind.DEVICES, ChecklistKind.MATERIALS, ChecklistKind.SLIDES, ChecklistKind.MANUAL)


class DemoOutcome(models.TextChoices):
    """R-DEMO-2: how the demo went for the customer."""

    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")


class TrialKind(models.TextChoices):
    """R-DEMO-3: 試用."""

    TRIAL = "trial", _("Trial")
    POC = "poc", _("Proof of concept")
    LOAN = "loan", _("Demo-equipment loan")


class TrialStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("trial", "Draft")
    IN_REVIEW = "in_review", pgettext_lazy("trial", "In review")
    APPROVED = "approved", pgettext_lazy("trial", "Approved")
    REJECTED = "rejected", pgettext_lazy("trial", "Rejected")
    RETURNED = "returned", pgettext_lazy("trial", "Returned")
    CANCELLED = "cancelled", pgettext_lazy("trial", "Cancelled")


EDITABLE_TRIAL_STATUSES = frozenset({TrialStatus.DRAFT, TrialStatus.REJECTED})
