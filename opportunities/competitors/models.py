"""Competitor records (R-COMP-1, issue 14): the vendors we meet, what they sell, what we
learn about them, and where they compete with us.

``Competitor`` is company-wide reference data (every staff member reads it); its name is
unique whatever its case. ``OpportunityCompetitor`` puts a competitor in play on one
opportunity (their offer and price, our differentiators) and is seen only by who sees the
opportunity. Writes go through opportunities/competitors/services.py. The models are
registered by ``opportunities/models.py`` (the app's one models module imports this one).
"""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from presales.core.models import TimeStampedModel, VersionedModel
from presales.core.roles import Actor

USER = settings.AUTH_USER_MODEL


class CompetitorQuerySet(models.QuerySet["Competitor"]):
    def visible_to(self, user: Actor) -> Self:
        """Reference data: every signed-in member of staff holding a role reads it."""
        if not user.is_authenticated or not (user.is_superuser or user.roles):
            return self.none()
        return self.all()


class Competitor(VersionedModel, TimeStampedModel):
    """A competing vendor (R-COMP-1): one record per company, its name unique case-insensitively;
    other spellings of the name are kept as aliases, one per line."""

    name = models.CharField(_("name"), max_length=200)
    aliases = models.TextField(
        _("aliases"), blank=True, help_text=_("Other names of the vendor, one per line.")
    )
    website = models.URLField(_("website"), blank=True)
    strengths = models.TextField(_("strengths"), blank=True)
    weaknesses = models.TextField(_("weaknesses"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        USER,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = CompetitorQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="competitor_name_ci_unique",
                violation_error_message=_("A competitor with this name already exists."),
            )
        ]
        indexes = [models.Index(fields=["name", "id"], name="competitor_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("opportunities:competitors:detail", args=[self.pk])

    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]


class CompetitorProduct(TimeStampedModel):
    """A product line of a competitor with its typical price range (R-COMP-1)."""

    competitor = models.ForeignKey(
        Competitor, verbose_name=_("competitor"), on_delete=models.CASCADE, related_name="products"
    )
    name = models.CharField(_("name"), max_length=200)
    price_range = models.CharField(_("typical price range"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("competitor product")
        verbose_name_plural = _("competitor products")

    def __str__(self) -> str:
        return self.name


class CompetitorIntel(TimeStampedModel):
    """One piece of intelligence about a competitor: what was learned, from where, on which
    day; optionally on which opportunity (R-COMP-1). Kept as recorded (no edits)."""

    competitor = models.ForeignKey(
        Competitor, verbose_name=_("competitor"), on_delete=models.CASCADE, related_name="intel"
    )
    text = models.TextField(_("intelligence"))
    source = models.CharField(_("source"), max_length=200)
    observed_on = models.DateField(_("observed on"))
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, editable=False, related_name="+"
    )
    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="competitor_intel",
    )

    class Meta:
        ordering = ["-observed_on", "-id"]
        verbose_name = _("competitor intelligence")
        verbose_name_plural = _("competitor intelligence")
        indexes = [
            models.Index(fields=["competitor", "-observed_on", "-id"], name="competitor_intel_timeline")
        ]

    def __str__(self) -> str:
        return f"{self.competitor} · {self.observed_on}"


class OpportunityCompetitorQuerySet(models.QuerySet["OpportunityCompetitor"]):
    def visible_to(self, user: Actor) -> Self:
        """Seen by who sees the opportunity (through its own index-backed pieces)."""
        from opportunities.models import opportunity_visibility_q

        return self.filter(opportunity_visibility_q(user, prefix="opportunity__"))


class OpportunityCompetitor(VersionedModel, TimeStampedModel):
    """A competitor in play on an opportunity (R-COMP-1): their offer and price (in the
    opportunity's currency) and our differentiators. One row per (opportunity, competitor)."""

    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="competitor_links",
    )
    competitor = models.ForeignKey(
        Competitor, verbose_name=_("competitor"), on_delete=models.PROTECT, related_name="opportunity_links"
    )
    offer = models.TextField(_("their offer"), blank=True)
    price = models.DecimalField(_("their price"), max_digits=16, decimal_places=2, null=True, blank=True)
    differentiators = models.TextField(_("our differentiators"), blank=True)
    in_play = models.BooleanField(_("in play"), default=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = OpportunityCompetitorQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("competitor in play")
        verbose_name_plural = _("competitors in play")
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "competitor"],
                name="opportunity_competitor_unique",
                violation_error_message=_("This competitor is already on the opportunity."),
            ),
            models.CheckConstraint(
                condition=models.Q(price__isnull=True) | models.Q(price__gte=0),
                name="opportunity_competitor_price_not_negative",
                violation_error_message=_("The price cannot be negative."),
            ),
        ]
        indexes = [models.Index(fields=["competitor", "opportunity"], name="opp_competitor_by_competitor")]

    def __str__(self) -> str:
        return f"{self.competitor} @ {self.opportunity_id}"

    @property
    def currency(self) -> Any:
        return self.opportunity.currency
