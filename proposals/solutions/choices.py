"""Choices of solutions and quotes (R-SOL-1, R-SOL-2, R-SOL-6)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SectionKind(models.TextChoices):
    """R-SOL-1: the sections of the company's solution template, in the template's order."""

    BACKGROUND = "background", _("Background")
    NEEDS_ANALYSIS = "needs_analysis", _("Needs analysis")
    PRODUCT_SELECTION = "product_selection", _("Solution: product selection")
    ARCHITECTURE = "architecture", _("Solution: architecture")
    MODULES = "modules", _("Solution: modules")
    CONFIGURATION = "configuration", _("Configuration and technical parameters")
    DIFFERENTIATION = "differentiation", _("Differentiation")
    IMPLEMENTATION_PLAN = "implementation_plan", _("Implementation plan")
    QUOTE_LIST = "quote_list", _("Quote list")
    SUCCESS_CASES = "success_cases", _("Success cases")
    SERVICE_COMMITMENTS = "service_commitments", _("Service commitments")
    REFERENCES = "references", _("References")


SECTION_ORDER = {kind: index for index, kind in enumerate(SectionKind.values)}


class LineKind(models.TextChoices):
    """R-SOL-2: quote lines are split hardware / software / services."""

    HARDWARE = "hardware", _("Hardware")
    SOFTWARE = "software", _("Software")
    SERVICE = "service", pgettext_lazy("quote line", "Service")


class AcceptanceMethod(models.TextChoices):
    """R-SOL-6: how the customer accepted a version."""

    EMAIL = "email", _("E-mail")
    SIGNATURE = "signature", _("Signature")
    MEETING = "meeting", _("Meeting")
