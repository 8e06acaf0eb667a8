"""The risk register of an opportunity and the customer's credit assessment (R-RISK-1).

A :class:`Risk` is scored likelihood × impact (1..25, stored and indexed, the database
checks the product); its level (low, warning, high) follows the thresholds of settings
(``RISK_WARNING_SCORE``, ``RISK_HIGH_SCORE``), so it is derived, never stored. An open high
risk blocks the contract's approval until a manager accepts it with a reason. A
:class:`CreditAssessment` (客戶信用評估) valid on the day is needed before the contract goes to
approval.

Every write goes through ``bids.risks.services``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bids.risks.choices import CreditRating, RiskCategory, RiskLevel, RiskResponse, RiskStatus
from presales.core.models import TimeStampedModel, VersionedModel

USER = settings.AUTH_USER_MODEL
SCALE = [MinValueValidator(1), MaxValueValidator(5)]


def warning_score() -> int:
    return int(settings.RISK_WARNING_SCORE)


def high_score() -> int:
    return int(settings.RISK_HIGH_SCORE)


def level_of(score: int) -> str:
    """low < warning threshold ≤ warning < high threshold ≤ high (R-RISK-1)."""
    if score >= high_score():
        return RiskLevel.HIGH
    if score >= warning_score():
        return RiskLevel.WARNING
    return RiskLevel.LOW


def level_q(level: str) -> Q:
    """The rows of ``level``, on the indexed score."""
    if level == RiskLevel.HIGH:
        return Q(score__gte=high_score())
    if level == RiskLevel.WARNING:
        return Q(score__gte=warning_score(), score__lt=high_score())
    return Q(score__lt=warning_score())


class RiskQuerySet(models.QuerySet["Risk"]):
    def visible_to(self, user: Any) -> RiskQuerySet:
        from opportunities.models import opportunity_visibility_q

        return self.filter(opportunity_visibility_q(user, prefix="opportunity__"))

    def open(self) -> RiskQuerySet:
        return self.filter(status=RiskStatus.OPEN)

    def live(self) -> RiskQuerySet:
        """Open or accepted: not closed."""
        return self.exclude(status=RiskStatus.CLOSED)

    def high(self) -> RiskQuerySet:
        return self.filter(level_q(RiskLevel.HIGH))


class Risk(VersionedModel, TimeStampedModel):
    """A risk of an opportunity (R-RISK-1): category, likelihood × impact, the response and
    its plan, the owner and the next review date. ``status`` moves only through the services
    (open → accepted by a manager → closed; an accepted risk whose score rises is open again)."""

    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="risks",
        editable=False,
    )
    category = models.CharField(_("category"), max_length=16, choices=RiskCategory.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    likelihood = models.PositiveSmallIntegerField(_("likelihood (1-5)"), validators=SCALE)
    impact = models.PositiveSmallIntegerField(_("impact (1-5)"), validators=SCALE)
    score = models.PositiveSmallIntegerField(_("score"), editable=False, default=1)
    response = models.CharField(
        _("response"), max_length=12, choices=RiskResponse.choices, default=RiskResponse.MITIGATE
    )
    response_plan = models.TextField(_("response plan"), blank=True)
    owner = models.ForeignKey(
        USER, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_risks"
    )
    review_on = models.DateField(_("next review on"))
    status = models.CharField(
        _("status"), max_length=12, choices=RiskStatus.choices, default=RiskStatus.OPEN, editable=False
    )
    accepted_by = models.ForeignKey(
        USER,
        verbose_name=_("accepted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True, editable=False)
    acceptance_reason = models.TextField(_("acceptance reason"), blank=True, editable=False)
    last_reviewed_at = models.DateTimeField(_("last reviewed at"), null=True, blank=True, editable=False)
    review_note = models.TextField(_("last review note"), blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    close_note = models.TextField(_("closing note"), blank=True, editable=False)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = RiskQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "-id"]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        indexes = [
            models.Index(fields=["opportunity", "status", "-score"], name="risk_opportunity_status"),
            models.Index(fields=["-score", "-id"], name="risk_score"),
            models.Index(fields=["owner", "-score"], name="risk_owner"),
            models.Index(fields=["review_on", "-id"], name="risk_review_on"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5) & Q(impact__gte=1, impact__lte=5),
                name="risk_scale_1_to_5",
                violation_error_message=_("Likelihood and impact are from 1 to 5."),
            ),
            models.CheckConstraint(
                condition=Q(score=F("likelihood") * F("impact")),
                name="risk_score_is_product",
                violation_error_message=_("The score is likelihood × impact."),
            ),
            models.CheckConstraint(
                condition=~Q(status=RiskStatus.ACCEPTED)
                | (Q(accepted_by__isnull=False) & Q(accepted_at__isnull=False) & ~Q(acceptance_reason="")),
                name="risk_accepted_has_reason",
                violation_error_message=_("An accepted risk names who accepted it and why."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The score is the product, whoever saves (the CHECK above backs it).
        if self.likelihood and self.impact:
            self.score = self.likelihood * self.impact
            if kwargs.get("update_fields") is not None and "score" not in kwargs["update_fields"]:
                kwargs["update_fields"] = [*kwargs["update_fields"], "score"]
        super().save(*args, **kwargs)

    @property
    def level(self) -> str:
        return level_of(self.score)

    def get_level_display(self) -> str:
        return str(RiskLevel(self.level).label)

    @property
    def is_open_high(self) -> bool:
        return self.status == RiskStatus.OPEN and self.level == RiskLevel.HIGH

    def get_absolute_url(self) -> str:
        return self.opportunity.get_absolute_url() + "#risks"


class CreditAssessmentQuerySet(models.QuerySet["CreditAssessment"]):
    def visible_to(self, user: Any) -> CreditAssessmentQuerySet:
        from opportunities.models import opportunity_visibility_q

        return self.filter(opportunity_visibility_q(user, prefix="opportunity__"))

    def valid_on(self, day: Any) -> CreditAssessmentQuerySet:
        return self.filter(assessed_on__lte=day, valid_until__gte=day)


class CreditAssessment(TimeStampedModel):
    """The customer's credit assessment (客戶信用評估, R-RISK-1) recorded for an opportunity
    before its contract goes to approval; a new assessment is a new row (never edited)."""

    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="credit_assessments",
        editable=False,
    )
    rating = models.CharField(_("rating"), max_length=1, choices=CreditRating.choices)
    credit_limit = models.DecimalField(
        _("credit limit (CNY)"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)]
    )
    payment_history = models.TextField(_("payment history"), blank=True)
    assessed_by = models.ForeignKey(
        USER, verbose_name=_("assessed by"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    assessed_on = models.DateField(_("assessed on"))
    valid_until = models.DateField(_("valid until"))
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = CreditAssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("credit assessment")
        verbose_name_plural = _("credit assessments")
        indexes = [
            models.Index(fields=["opportunity", "-assessed_on", "-id"], name="credit_opportunity"),
            models.Index(fields=["-assessed_on", "-id"], name="credit_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("assessed_on")),
                name="credit_valid_after_assessed",
                violation_error_message=_("The assessment is valid until a date after it was made."),
            ),
            models.CheckConstraint(
                condition=Q(credit_limit__gte=0),
                name="credit_limit_not_negative",
                violation_error_message=_("The credit limit is not negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id} {self.rating} {self.assessed_on}"
