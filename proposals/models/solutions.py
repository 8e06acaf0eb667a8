"""Solutions and their versions (R-SOL-1, R-SOL-3, R-SOL-5).

A solution belongs to an opportunity and has numbered versions. A version's ``status``
changes only through the proposals services (the version's move table); from submission on
the version is frozen: an edit starts the next version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from presales.core.models import TimeStampedModel, VersionedModel
from proposals.choices import FROZEN_STATUSES, VersionStatus

USER = settings.AUTH_USER_MODEL


class Solution(VersionedModel, TimeStampedModel):
    """The solution (解決方案) written for an opportunity; its content lives in its versions."""

    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="solutions",
    )
    title = models.CharField(_("title"), max_length=200)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["opportunity", "id"]
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")

    def __str__(self) -> str:
        return self.title


class SolutionVersion(TimeStampedModel):
    """One numbered version of a solution: sections, quote lines, its review (R-SOL-3)."""

    solution = models.ForeignKey(
        Solution, verbose_name=_("solution"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version number"), editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT, editable=False
    )
    author = models.ForeignKey(
        USER, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["solution", "-number"]
        verbose_name = _("solution version")
        verbose_name_plural = _("solution versions")
        constraints = [
            models.UniqueConstraint(fields=["solution", "number"], name="solution_version_number_unique"),
        ]
        indexes = [models.Index(fields=["status", "solution"], name="solution_version_status")]

    def __str__(self) -> str:
        return f"{self.solution} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        """R-SOL-3: submitted versions are immutable."""
        return self.status in FROZEN_STATUSES
