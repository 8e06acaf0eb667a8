"""The monthly team report (R-KPI-3): figures generated from the records by aggregate SQL
(pipeline, wins, losses, forecast, market feedback counts) kept as a snapshot, and the
sections the team's manager writes, then submits to the general managers and department
heads. A submitted report is frozen: ``kpi.reports.services`` refuses every change.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from presales.core.models import TimeStampedModel, VersionedModel
from presales.core.roles import Role

USER = settings.AUTH_USER_MODEL

# Who reads every team's report (and receives them).
ALL_REPORT_ROLES = frozenset({Role.GENERAL_MANAGER, Role.ADMIN, Role.DEPARTMENT_HEAD})
RECIPIENT_ROLES = frozenset({Role.GENERAL_MANAGER, Role.DEPARTMENT_HEAD})


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


# The sections the manager writes (the figures are generated).
SECTION_FIELDS = (
    "summary",
    "pipeline_commentary",
    "wins_commentary",
    "forecast_commentary",
    "market_feedback",
    "next_month_plan",
)


class TeamReportQuerySet(models.QuerySet["TeamReport"]):
    def visible_to(self, user: Any) -> TeamReportQuerySet:
        """GM, department heads, admin: all; a team's manager: the team's; the recipients:
        what was submitted to them; nobody else."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser or user.has_role(*ALL_REPORT_ROLES):
            return self
        managed = list(user.managed_teams.values_list("pk", flat=True))
        return self.filter(Q(team__in=managed) | Q(author=user.pk))


class TeamReport(VersionedModel, TimeStampedModel):
    """One team's report for one month: generated figures and written sections."""

    team = models.ForeignKey(
        "presales.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="monthly_reports"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month reported on."))
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT, editable=False
    )
    figures = models.JSONField(_("figures"), default=dict, blank=True, editable=False)
    generated_at = models.DateTimeField(_("figures generated at"), null=True, blank=True, editable=False)
    summary = models.TextField(_("summary"), blank=True)
    pipeline_commentary = models.TextField(_("pipeline commentary"), blank=True)
    wins_commentary = models.TextField(_("wins commentary"), blank=True)
    forecast_commentary = models.TextField(_("forecast commentary"), blank=True)
    market_feedback = models.TextField(
        _("market feedback"),
        blank=True,
        help_text=_("Competitors seen, lost reasons, customers' needs trends."),
    )
    next_month_plan = models.TextField(_("next month's plan"), blank=True)
    author = models.ForeignKey(
        USER,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        USER,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    submitted_to: models.ManyToManyField = models.ManyToManyField(
        USER, verbose_name=_("submitted to"), blank=True, related_name="received_team_reports", editable=False
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = TeamReportQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "team__name", "id"]
        verbose_name = _("monthly team report")
        verbose_name_plural = _("monthly team reports")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "month"],
                name="team_report_one_per_month",
                violation_error_message=_("This team already has a report for this month."),
            ),
            models.CheckConstraint(
                condition=Q(status=ReportStatus.DRAFT) | Q(submitted_at__isnull=False),
                name="team_report_submitted_has_time",
                violation_error_message=_("A submitted report has its submission time."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.month_key}"

    @property
    def month_key(self) -> str:
        """``2026-11``."""
        return f"{self.month.year}-{self.month.month:02d}"

    @property
    def is_frozen(self) -> bool:
        return self.status == ReportStatus.SUBMITTED

    def get_absolute_url(self) -> str:
        return reverse("kpi:reports:detail", args=[self.pk])
