"""Sales targets (業績目標, R-KPI-4): what a sales rep or a sales team is to reach in a period
(month, quarter, year) on one metric: amount signed, payments collected, new customers,
customer satisfaction. Exactly one of ``person`` and ``team`` is set (a database check), and
there is one target per period, person or team and metric (partial unique constraints). The
actuals are not stored: ``kpi.targets.selectors`` computes them by aggregate SQL.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from presales.core.models import TimeStampedModel, VersionedModel
from presales.core.roles import Role

USER = settings.AUTH_USER_MODEL

# Who sees and sets every target; a sales manager sees and sets their teams'.
ALL_TARGET_ROLES = frozenset({Role.GENERAL_MANAGER, Role.ADMIN})


# The kinds of ``kpi.periods.PeriodKind`` (the import-linter contract keeps ``kpi.models``
# and ``kpi.periods`` apart, so the values are repeated here; a test checks they agree).
PERIOD_KINDS = [("month", _("Month")), ("quarter", _("Quarter")), ("year", _("Year"))]


def period_key(kind: str, start: Any) -> str:
    """``2026-11`` / ``2026-Q4`` / ``2026``, as ``kpi.periods.Period.key`` writes it."""
    if kind == "month":
        return f"{start.year}-{start.month:02d}"
    if kind == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


class TargetMetric(models.TextChoices):
    AMOUNT_SIGNED = "amount_signed", _("Amount signed (CNY)")
    PAYMENTS_COLLECTED = "payments_collected", _("Payments collected (CNY)")
    NEW_CUSTOMERS = "new_customers", _("New customers")
    SATISFACTION = "satisfaction", _("Customer satisfaction (1 to 5)")


class SalesTargetQuerySet(models.QuerySet["SalesTarget"]):
    def visible_to(self, user: Any) -> SalesTargetQuerySet:
        """GM and admin: all; a team's manager: the team's targets and its members'; anyone
        else: their own targets and their home team's."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser or user.has_role(*ALL_TARGET_ROLES):
            return self
        managed = list(user.managed_teams.values_list("pk", flat=True))
        condition = Q(person=user.pk)
        if user.team_id:
            condition |= Q(team=user.team_id)
        if managed:
            condition |= Q(team__in=managed) | Q(person__team__in=managed)
        return self.filter(condition)

    def for_period(self, period: Any) -> SalesTargetQuerySet:
        """The targets of a ``kpi.periods.Period``."""
        return self.filter(period_kind=period.kind, period_start=period.start)


class SalesTarget(VersionedModel, TimeStampedModel):
    """One target: a period, a person or a team, a metric and the value to reach."""

    period_kind = models.CharField(_("period"), max_length=10, choices=PERIOD_KINDS)
    period_start = models.DateField(_("period start"))
    person = models.ForeignKey(
        USER,
        verbose_name=_("sales rep"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sales_targets",
    )
    team = models.ForeignKey(
        "presales.Team",
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sales_targets",
    )
    metric = models.CharField(_("metric"), max_length=30, choices=TargetMetric.choices)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    set_by = models.ForeignKey(
        USER, verbose_name=_("set by"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = SalesTargetQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "period_kind", "metric", "id"]
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(team__isnull=True))
                | (Q(person__isnull=True) & Q(team__isnull=False)),
                name="sales_target_person_xor_team",
                violation_error_message=_("A target is for one sales rep or for one team, not both."),
            ),
            models.CheckConstraint(
                condition=Q(target__gte=0),
                name="sales_target_not_negative",
                violation_error_message=_("A target cannot be negative."),
            ),
            models.UniqueConstraint(
                fields=["period_kind", "period_start", "person", "metric"],
                condition=Q(person__isnull=False),
                name="sales_target_one_per_person",
                violation_error_message=_("This person already has a target for this metric and period."),
            ),
            models.UniqueConstraint(
                fields=["period_kind", "period_start", "team", "metric"],
                condition=Q(team__isnull=False),
                name="sales_target_one_per_team",
                violation_error_message=_("This team already has a target for this metric and period."),
            ),
        ]
        indexes = [models.Index(fields=["period_kind", "period_start", "metric"], name="sales_target_period")]

    def __str__(self) -> str:
        return f"{self.period_key} · {self.person or self.team} · {self.get_metric_display()}"

    @property
    def period_key(self) -> str:
        return period_key(self.period_kind, self.period_start)
