"""Retrospectives (R-POST-2): one per closed opportunity, won (the contract signed) or lost /
abandoned, made by the close itself. It records the reasons, the competitor, what went well,
the lessons and improvements and who attended (presales must); a won project whose customer
accepted it is proposed as a success case, which the knowledge base adopts once the customer
consents."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from opportunities.choices import CloseReason
from opportunities.models import opportunity_visibility_q
from presales.core.models import TimeStampedModel, VersionedModel

USER = settings.AUTH_USER_MODEL


class RetrospectiveOutcome(models.TextChoices):
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    ABANDONED = "abandoned", _("Abandoned")


class RetrospectiveStatus(models.TextChoices):
    DUE = "due", _("Due")
    HELD = "held", _("Held")


class CustomerConsent(models.TextChoices):
    UNKNOWN = "unknown", _("Not asked yet")
    GIVEN = "given", _("Given")
    REFUSED = "refused", _("Refused")


class RetrospectiveQuerySet(models.QuerySet["Retrospective"]):
    def visible_to(self, user: Any) -> RetrospectiveQuerySet:
        """Who sees the opportunity sees its retrospective (R-CUST-6 through the opportunity)."""
        return self.filter(opportunity_visibility_q(user, prefix="opportunity__"))


class Retrospective(VersionedModel, TimeStampedModel):
    """The project retrospective (項目總結會) of a closed opportunity (R-POST-2). ``outcome``,
    ``status`` and the success-case proposal are written by the services only."""

    opportunity = models.OneToOneField(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="retrospective",
        editable=False,
    )
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=RetrospectiveOutcome.choices, editable=False
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RetrospectiveStatus.choices,
        default=RetrospectiveStatus.DUE,
        editable=False,
    )
    closed_at = models.DateTimeField(_("closed at"), editable=False, db_index=True)
    due_on = models.DateField(_("due on"), editable=False)
    held_on = models.DateField(_("held on"), null=True, blank=True, editable=False)
    held_by = models.ForeignKey(
        USER,
        verbose_name=_("recorded as held by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    close_reason = models.CharField(_("main reason"), max_length=30, choices=CloseReason.choices, blank=True)
    reasons = models.TextField(_("reasons"), blank=True, help_text=_("Why the deal was won or lost."))
    # The name as it was given at the close; ``competitor`` is its record (R-COMP-1).
    competitor_name = models.CharField(_("competitor"), max_length=200, blank=True)
    competitor = models.ForeignKey(
        "opportunities.Competitor",
        verbose_name=_("competitor record"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retrospectives",
    )
    went_well = models.TextField(_("what went well"), blank=True)
    lessons = models.TextField(_("lessons learned"), blank=True)
    improvements = models.TextField(_("improvements"), blank=True)
    attendees: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        USER, verbose_name=_("attendees"), blank=True, related_name="retrospectives_attended"
    )
    other_attendees = models.CharField(
        _("other attendees"), max_length=300, blank=True, help_text=_("People without an account.")
    )
    success_case_proposed = models.BooleanField(
        _("proposed as a success case"), default=False, editable=False
    )
    customer_consent = models.CharField(
        _("customer's consent"),
        max_length=10,
        choices=CustomerConsent.choices,
        default=CustomerConsent.UNKNOWN,
        editable=False,
    )
    consent_note = models.CharField(_("consent note"), max_length=300, blank=True, editable=False)
    success_case_summary = models.TextField(_("success case summary"), blank=True)
    case_article = models.ForeignKey(
        "knowledge.Article",
        verbose_name=_("success case in the knowledge base"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = RetrospectiveQuerySet.as_manager()

    class Meta:
        ordering = ["-closed_at", "-id"]
        verbose_name = _("retrospective")
        verbose_name_plural = _("retrospectives")
        indexes = [models.Index(fields=["status", "due_on"], name="retro_status_due")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="held") | Q(held_on__isnull=False),
                name="retro_held_has_date",
                violation_error_message=_("A held retrospective has its date."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Retrospective of %(opportunity)s") % {"opportunity": self.opportunity})

    def get_absolute_url(self) -> str:
        return reverse("opportunities:detail", args=[self.opportunity_id]) + "#retrospective"
