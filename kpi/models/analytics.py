"""The analytics' summary (R-KPI-3): monthly per-team (and per-stage, per-approver) aggregates
of the opportunities, their stage history and the review tasks, rebuilt by
``kpi.analytics.summary.refresh_summary`` (a beat task every 15 minutes). The managers'
charts read these few thousand rows instead of a million opportunities; the page shows when
they were computed. Never edited by hand."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SummaryMeasure(models.TextChoices):
    OPEN = "open", _("Open now (per stage)")
    FORECAST = "forecast", _("Open by expected close month (per stage)")
    CREATED = "created", _("Created")
    CLOSED = "closed", _("Closed (per closing stage)")
    ENTERED = "entered", _("Entered a stage, and how many went further")
    STAY = "stay", _("Stays in a stage that ended")
    REVIEW = "review", _("Review decisions (per approver)")
    OVERDUE = "overdue", _("Timers overdue when computed (per kind and owner)")


class AnalyticsSummary(models.Model):
    """One aggregate: a measure for one month (empty for today's snapshot), team, stage and
    person. ``count``; ``further`` (entered: went further; open: amounts without a rate);
    ``amount`` (CNY); ``seconds`` (the sum of the durations; overdue: the oldest due time as
    a Unix time) and ``median_seconds``. ``stage`` holds the timer kind for overdue rows."""

    measure = models.CharField(_("measure"), max_length=10, choices=SummaryMeasure.choices)
    month = models.DateField(_("month"), null=True, blank=True)
    team = models.ForeignKey(
        "presales.Team",
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    stage = models.CharField(_("stage or timer kind"), max_length=50, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    count = models.PositiveIntegerField(_("count"), default=0)
    further = models.PositiveIntegerField(_("went further"), default=0)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=20, decimal_places=2, default=0)
    seconds = models.FloatField(_("total seconds"), default=0)
    median_seconds = models.FloatField(_("median seconds"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("analytics summary row")
        verbose_name_plural = _("analytics summary rows")
        indexes = [models.Index(fields=["measure", "month", "team"], name="kpi_summary_measure_month")]

    def __str__(self) -> str:
        return f"{self.measure} {self.month} {self.team_id} {self.stage}"


class ChangeKind(models.TextChoices):
    """Which of the summary's groups a change mark asks to recompute."""

    OPEN = "open", _("Open pipeline of the team")
    FORECAST = "forecast", _("Forecast of the expected close month")
    CREATED = "created", _("Creations of the month (and their lead-intake entries)")
    CLOSED = "closed", _("Closes of the month")
    ENTERED = "entered", _("Entries into a stage in the month")
    STAY = "stay", _("Stays in a stage that ended in the month")
    REVIEW = "review", _("Review decisions of the month")


class AnalyticsChange(models.Model):
    """A mark left by a database trigger when a record the summary reads changes (an
    opportunity, a stage change, a review task; inserted, updated or deleted, by any route:
    service, admin, bulk update, SQL): which group of which team must be recomputed, for the
    month of ``at`` (``day`` for an expected close date; neither for the open pipeline) and,
    for entries and stays, the stage.
    ``kpi.analytics.summary.refresh_summary`` consumes the marks and recomputes only those
    groups. Never written by the application."""

    kind = models.CharField(_("group"), max_length=10, choices=ChangeKind.choices)
    team_id = models.BigIntegerField(_("team id"), null=True, blank=True)
    at = models.DateTimeField(_("moment"), null=True, blank=True)
    day = models.DateField(_("day"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("analytics change mark")
        verbose_name_plural = _("analytics change marks")

    def __str__(self) -> str:
        return f"{self.kind} {self.team_id} {self.at or self.day or ''}"
