"""Needs analysis: the requirements of an opportunity (R-NEED-2).

Writes go through the proposals services; a requirement's number is allocated once per
opportunity and never reused (REQ-001, REQ-002 …).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from presales.core.models import TimeStampedModel, VersionedModel
from proposals.choices import Feasibility, Priority, RequirementCategory, RequirementKind

USER = settings.AUTH_USER_MODEL


class Requirement(VersionedModel, TimeStampedModel):
    """One customer requirement (需求) of an opportunity, with the fields of R-NEED-2."""

    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="requirements",
    )
    number = models.PositiveIntegerField(_("number"), editable=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("type"), max_length=10, choices=RequirementKind.choices)
    category = models.CharField(_("category"), max_length=12, choices=RequirementCategory.choices)
    description = models.TextField(_("description"))
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2, null=True, blank=True)
    priority = models.CharField(
        _("priority"), max_length=6, choices=Priority.choices, default=Priority.MEDIUM
    )
    key_metric = models.CharField(_("key metric"), max_length=300, blank=True)
    feasibility = models.CharField(
        _("feasibility"), max_length=12, choices=Feasibility.choices, default=Feasibility.FEASIBLE
    )
    feasibility_note = models.TextField(_("feasibility note"), blank=True)
    alternative = models.TextField(
        _("agreed alternative"),
        blank=True,
        help_text=_("What the customer agreed instead, when not feasible."),
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["opportunity", "position", "number"]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "number"], name="requirement_number_unique"),
        ]
        indexes = [models.Index(fields=["opportunity", "position", "number"], name="requirement_order")]

    def __str__(self) -> str:
        return f"{self.code} {self.description[:60]}"

    @property
    def code(self) -> str:
        """The number as shown: REQ-001."""
        return f"REQ-{self.number:03d}"
